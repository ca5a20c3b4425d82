import Configuration
import Foundation
import Logging
import Postgres
import SyncStore

/// `Benchmarks snapshot CONNINFO ROWS [--plan]` — the legacy snapshot of one BU on a throwaway
/// database: creates database `bench_snapshot` on CONNINFO's server (dropped at the end) with a
/// legacy table of ROWS generated rows (`SnapshotBench.legacyTableSQL`) and the state schema, then
/// times a first snapshot (empty cache), a second one with no changes and, with `--plan`, the
/// backfill plan (`BackfillStore.plan`: the work set into the outbox), the way `BackfillService`
/// runs them. Per phase: wall time, this process's CPU time, the CPU time of its three PostgreSQL
/// backends (read from /proc: the server must run on this machine), and the counts. Ends with
/// VmHWM (peak resident set). Log lines (stderr) show the time each step inside a phase ended.
enum SnapshotBench {
    static func run(_ arguments: [String]) async throws -> Int32 {
        guard arguments.count >= 2, let rows = Int(arguments[1]), rows >= 100 else {
            FileHandle.standardError.write(Data("usage: Benchmarks snapshot CONNINFO ROWS [--plan] [--keep]   (--keep: leave database bench_snapshot for EXPLAIN)\n".utf8))
            return 64
        }
        let server = arguments[0]
        let database = "bench_snapshot"
        let admin = try await PostgresConnection.connect(conninfo: server, logger: .disabled)
        try await admin.execute("DROP DATABASE IF EXISTS \(identifier: database) WITH (FORCE)")
        try await admin.execute("CREATE DATABASE \(identifier: database)")
        let conninfo = server + " dbname='\(database)'"
        do {
            try await measure(conninfo: conninfo, rows: rows, plan: arguments.contains("--plan"))
        } catch {
            _ = try? await admin.execute("DROP DATABASE IF EXISTS \(identifier: database) WITH (FORCE)")
            throw error
        }
        if !arguments.contains("--keep") {
            try await admin.execute("DROP DATABASE IF EXISTS \(identifier: database) WITH (FORCE)")
        }
        await admin.close()
        print("vmhwm_kb=\(peakResidentKilobytes())")
        return 0
    }

    /// ROWS rows of `legacy.optouts (id, phone, opted_out, updated_at)`, all opted out, default region US:
    /// - every tenth row invalid: NULL, `N/A`, a local-only `555-0123`, or a too-short number;
    /// - the other rows spread over 0.76·ROWS numbers (≈ 70% of the rows are distinct numbers once
    ///   the invalid rows are taken out); a repeated number keeps its spelling for half the rows and
    ///   takes another one of the five spellings for the other half.
    static func legacyTableSQL(rows: Int) -> String {
        let numbers = rows * 76 / 100
        return """
            CREATE SCHEMA legacy;
            CREATE TABLE legacy.optouts (id bigint PRIMARY KEY, phone text, opted_out boolean NOT NULL, updated_at timestamptz);
            INSERT INTO legacy.optouts
            SELECT g,
                   CASE WHEN g % 10 = 0 THEN
                            CASE (g / 10) % 4 WHEN 0 THEN NULL WHEN 1 THEN 'N/A'
                                 WHEN 2 THEN '555-' || lpad((g % 10000)::text, 4, '0') ELSE (g % 100000)::text END
                        ELSE CASE (g + (g / \(numbers)) * (g % 2)) % 5
                                 WHEN 0 THEN '+1' || area || ex || line
                                 WHEN 1 THEN '(' || area || ') ' || ex || '-' || line
                                 WHEN 2 THEN area || ex || line
                                 WHEN 3 THEN '+1 ' || area || ' ' || ex || ' ' || line
                                 ELSE '1-' || area || '-' || ex || '-' || line END
                   END,
                   true, now()
            FROM generate_series(1, \(rows)) g,
                 LATERAL (SELECT (g::bigint * 7919) % \(numbers) AS k) n,
                 LATERAL (SELECT (ARRAY['206', '212', '415', '312', '617'])[k % 5 + 1] AS area,
                                 (230 + (k / 5) % 700)::text AS ex,
                                 lpad(((k / 3500) % 10000)::text, 4, '0') AS line) f;
            """
    }

    static let unitJSON = """
        {"aws": {"region": "us-east-1"}, "sync": {"write_back": false},
         "business_units": [{"name": "bench", "default_region": "US", "opt_out_list": "bench-list",
           "legacy": {"table": "legacy.optouts", "phone_column": "phone", "opted_out_where": "opted_out"}}]}
        """

    static func measure(conninfo: String, rows: Int, plan: Bool) async throws {
        let logger = Logger(sink: ElapsedSink(), level: .info)
        let setup = try await PostgresConnection.connect(conninfo: conninfo, logger: .disabled)
        var start = ContinuousClock.now
        try await setup.executeScript(legacyTableSQL(rows: rows), operation: "bench legacy table")
        try await setup.execute("VACUUM ANALYZE legacy.optouts")
        try await Migrator(logger: .disabled).migrate(on: setup, schema: "optout_sync")
        print("setup rows=\(rows) seconds=\(format(start.duration(to: .now)))")

        let unit = try ConfigLoader.parse(data: Data(unitJSON.utf8), environment: [:]).businessUnits[0]
        let schema = StateSchema("optout_sync")
        let snapshotter = LegacySnapshotter(schema: schema, unit: unit, policy: .send, logger: logger)
        let legacy = try await PostgresConnection.connect(conninfo: conninfo, logger: .disabled)
        let state = try await PostgresConnection.connect(conninfo: conninfo, logger: .disabled)
        let helper = try await PostgresConnection.connect(conninfo: conninfo, logger: .disabled)
        let backends = [await legacy.backendPID, await state.backendPID, await helper.backendPID]

        for pass in ["first", "second", "changed"] {
            if pass == "changed" {
                // 1% of the rows change: a new number for every hundredth row (seen by the next pass only).
                try await setup.execute("""
                    UPDATE legacy.optouts SET phone = '+1 (646) ' || lpad((id % 10000000)::text, 7, '2') WHERE id % 100 = 7
                    """)
            }
            start = ContinuousClock.now
            let cpu = CPUTimes(backends: backends)
            let staged = try await snapshotter.stage(legacy: legacy, state: state, helper: helper)
            let counts = try await helper.withTransaction { tx in try await snapshotter.apply(staged, on: tx) }
            try await snapshotter.dropStaging(on: helper)
            print("snapshot pass=\(pass) seconds=\(format(start.duration(to: .now))) \(cpu.elapsed()) rows=\(counts.rowsRead) "
                  + "numbers=\(counts.numbers) invalid=\(counts.invalid) duplicates=\(counts.duplicates) parsed=\(counts.parsed) unchanged=\(counts.unchanged)")
        }
        if plan {
            start = ContinuousClock.now
            let cpu = CPUTimes(backends: backends)
            let result = try await BackfillStore(schema: schema, businessUnit: unit.name).plan(on: state)
            print("plan seconds=\(format(start.duration(to: .now))) \(cpu.elapsed()) queued=\(result.queued) already_in_aws=\(result.alreadyInAWS)")
        }
        for connection in [setup, legacy, state, helper] { await connection.close() }
    }

    static func format(_ duration: Duration) -> String {
        String(format: "%.2f", Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18)
    }
}

/// CPU seconds used since creation by this process (getrusage) and by some server backends (/proc).
private struct CPUTimes {
    let backends: [Int32]
    let process: Double
    let server: Double

    init(backends: [Int32]) {
        self.backends = backends
        process = Self.processSeconds()
        server = backends.map(Self.backendSeconds).reduce(0, +)
    }

    func elapsed() -> String {
        String(format: "cpu_process=%.2f cpu_server=%.2f", Self.processSeconds() - process,
               backends.map(Self.backendSeconds).reduce(0, +) - server)
    }

    static func processSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }

    /// utime + stime of a process from /proc/PID/stat (fields 14 and 15, in clock ticks).
    static func backendSeconds(_ pid: Int32) -> Double {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let end = stat.lastIndex(of: ")") else { return 0 }
        let fields = stat[stat.index(after: end)...].split(separator: " ")
        guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { return 0 }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }
}

/// Log lines on stderr with the seconds since the process started: when each step of a phase ended.
private struct ElapsedSink: LogSink {
    let start = Date()
    func write(_ record: LogRecord) {
        let metadata = record.metadata.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        let line = String(format: "  [%7.2fs] ", record.timestamp.timeIntervalSince(start)) + record.message + " " + metadata + "\n"
        FileHandle.standardError.write(Data(line.utf8))
    }
}
