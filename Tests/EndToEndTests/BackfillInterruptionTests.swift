import Hashing
import AWS
import Foundation
import Postgres
import Testing
import TestSupport

/// Backfill interrupted by signals (graceful) and by `kill -9` (not), then run again: the list ends
/// exactly right, and at most `max_in_flight` numbers are re-sent per interruption.
@Suite struct BackfillInterruptionTests {
    static let maxInFlight = 16
    /// Slow enough (20 ms per answer, 400 puts/s) that a run of 1,500 numbers takes a few seconds.
    static let emulatorArguments = ["--latency-ms", "20"]

    static func setUp(_ numbers: [String]) -> (PostgresConnection) async throws -> [[String: Any]] {
        { db in [businessUnit("cards", region: "US", list: "cards-optouts", legacy: try await simpleUSTable(db, schema: "cards", numbers: numbers))] }
    }

    /// A scenario with one BU holding `numbers` on a slow emulator, its list provisioned.
    static func withSlowBackfill(_ numbers: [String], putRate: Double = 400, name: String = #function,
                                 _ body: (Scenario) async throws -> Void) async throws {
        try await Scenario.run(name: name, emulatorArguments: emulatorArguments, maxInFlight: maxInFlight, putRate: putRate,
                               setUp: setUp(numbers)) { s in
            try await s.expectSuccess(["provision"])
            try await body(s)
        }
    }

    /// Sends `signal` and expects the graceful ending: exit 75, not killed by the signal.
    @discardableResult
    static func interrupt(_ child: ChildProcess, with signal: Int32, sourceLocation: SourceLocation = #_sourceLocation) async throws -> ToolResult {
        child.signal(signal)
        let result = try await child.wait()
        #expect(result.exitCode == 75 && !result.signalled, "\(result)", sourceLocation: sourceLocation)
        return result
    }

    /// Polls the emulator until at least `count` puts arrived (or `child` ended on its own).
    static func waitForPuts(_ s: Scenario, atLeast count: Int, while child: ChildProcess) async throws {
        let deadline = ContinuousClock.now + .seconds(60)
        while try await s.puts() < count && !child.hasExited {
            guard ContinuousClock.now < deadline else { Issue.record("no \(count) puts within 60 s"); return }
            try await Task.sleep(for: .milliseconds(15))
        }
    }

    /// After the final run: exact list, every number in sync, nothing queued, bounded re-sends.
    static func expectConverged(_ s: Scenario, _ numbers: [String], interruptions: Int,
                                sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let listed = try await s.listed("cards-optouts")
        #expect(listed == Set(numbers), "missing \(Set(numbers).subtracting(listed).count), unexpected \(listed.subtracting(numbers).count)",
                sourceLocation: sourceLocation)
        let stats = try await s.emulator.stats()
        let resent = stats.requests("PutOptedOutNumber") - numbers.count
        #expect(resent >= 0 && resent <= interruptions * maxInFlight, "re-sent \(resent) after \(interruptions) interruptions",
                sourceLocation: sourceLocation)
        #expect(stats.duplicatePuts == resent, "every re-send is a put of a listed number", sourceLocation: sourceLocation)
        #expect(try await StateTables.numbers(s.connection, "sync_state", bu: "cards", where: "state = 'in_sync'") == Set(numbers),
                sourceLocation: sourceLocation)
        #expect(try await StateTables.count(s.connection, "outbox") == 0, sourceLocation: sourceLocation)
    }

    @Test func sigtermDuringDispatchExits75AndTheNextRunCompletes() async throws {
        let numbers = Numbers.us(1500, offset: 5000)
        try await Self.withSlowBackfill(numbers) { s in
            let child = try s.workspace.start(["backfill"])
            defer { child.kill() }
            try await Self.waitForPuts(s, atLeast: 200, while: child)
            // A second backfill of the same BU meanwhile is refused (state database lock), naming the BU.
            let second = try await s.run(["backfill"])
            #expect(second.exitCode == 1, "\(second)")
            #expect(second.stderr.contains("business unit cards: another optout-sync process is backfilling it"), "\(second.stderr)")
            #expect(!child.hasExited)
            let interrupted = try await Self.interrupt(child, with: SIGTERM)
            #expect(interrupted.stderr.contains("business unit cards interrupted; run backfill again to resume"), "\(interrupted.stderr)")
            let sent = try await s.puts()
            #expect(sent < numbers.count, "interrupted before the end")
            // Checkpointed: the run is unfinished in phase dispatch, what was not confirmed is queued.
            #expect(try await StateTables.count(s.connection, "backfill_run", where: "phase = 'dispatch' AND finished_at IS NULL") == 1)
            let queued = try await StateTables.count(s.connection, "outbox", where: "lease_owner IS NULL")
            let confirmed = try await StateTables.count(s.connection, "sync_state", where: "state = 'in_sync'")
            #expect(queued + confirmed == numbers.count)
            #expect(confirmed == sent, "every answered put was recorded before exiting")

            try await s.expectSuccess(["backfill"])
            try await Self.expectConverged(s, numbers, interruptions: 1)
        }
    }

    /// The server drops every optout-sync connection mid-dispatch (as a failover or restart would):
    /// the dispatcher reconnects and the same run finishes, exact.
    @Test func lostDatabaseConnectionsReconnectDuringDispatch() async throws {
        let numbers = Numbers.us(1200, offset: 8500)
        try await Self.withSlowBackfill(numbers) { s in
            let child = try s.workspace.start(["backfill"])
            defer { child.kill() }
            try await Self.waitForPuts(s, atLeast: 200, while: child)
            let terminated = try await s.connection.query("""
                SELECT count(pg_terminate_backend(pid))::bigint FROM pg_stat_activity
                WHERE datname = current_database() AND application_name = 'optout-sync' AND pid <> pg_backend_pid()
                """)
            #expect(try terminated[0].decode(Int64.self, at: 0) >= 2, "the backfill's connections were dropped")
            let result = try await child.wait(timeout: .seconds(120))
            #expect(result.exitCode == 0, "\(result)")
            #expect(result.stderr.contains("postgres connection lost") || result.stderr.contains("postgres reconnected"), "\(result.stderr)")
            #expect(try await StateTables.count(s.connection, "backfill_run", where: "phase = 'done'") == 1)
            try await Self.expectConverged(s, numbers, interruptions: 1)
        }
    }

    /// SIGTERM as soon as the run has started (snapshot, scan or plan): still exit 75, then resumable.
    @Test func sigtermBeforeDispatchExits75() async throws {
        let numbers = Numbers.us(1500, offset: 6500)
        try await Self.withSlowBackfill(numbers) { s in
            let child = try s.workspace.start(["backfill"])
            defer { child.kill() }
            let deadline = ContinuousClock.now + .seconds(30)
            while try await StateTables.count(s.connection, "backfill_run") == 0 && !child.hasExited && ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(2))
            }
            try await Self.interrupt(child, with: SIGTERM)
            #expect(try await s.puts() < numbers.count)
            try await s.expectSuccess(["backfill"])
            try await Self.expectConverged(s, numbers, interruptions: 1)
        }
    }

    @Test func sigintThenRestartStartsOver() async throws {
        let numbers = Numbers.us(1200, offset: 7000)
        try await Self.withSlowBackfill(numbers) { s in
            let child = try s.workspace.start(["backfill"])
            defer { child.kill() }
            try await Self.waitForPuts(s, atLeast: 300, while: child)
            try await Self.interrupt(child, with: SIGINT)

            let restarted = try await s.expectSuccess(["backfill", "--restart"])
            #expect(restarted.stderr.contains("checkpoint discarded (--restart)"), "\(restarted.stderr)")
            #expect(try await StateTables.count(s.connection, "backfill_run", where: "phase = 'discarded'") == 1)
            #expect(try await StateTables.count(s.connection, "backfill_run", where: "phase = 'done'") == 1)
            // Starting over re-reads the AWS list, so what the first run put is not sent again.
            try await Self.expectConverged(s, numbers, interruptions: 1)
        }
    }

    /// The emulator goes away mid-dispatch: the backfill gives up with 69 (work checkpointed); with
    /// the emulator back (same port, state kept) the next run completes exactly. The numbers whose
    /// put failed wait out their retry delay (30 s) first, so this test is the slowest.
    @Test func awsOutageExits69AndTheNextRunCompletes() async throws {
        let numbers = Numbers.us(800, offset: 12000)
        let stateFile = FileManager.default.temporaryDirectory.appendingPathComponent("optout-sync-emulator-\(UUID()).json").path
        defer { try? FileManager.default.removeItem(atPath: stateFile) }
        try await Scenario.run(emulatorArguments: Self.emulatorArguments + ["--state", stateFile], maxInFlight: Self.maxInFlight,
                               putRate: 400, setUp: Self.setUp(numbers)) { s in
            try await s.expectSuccess(["provision"])
            let child = try s.workspace.start(["backfill"])
            defer { child.kill() }
            try await Self.waitForPuts(s, atLeast: 150, while: child)
            let stopped = try await s.emulator.stop()
            #expect(stopped.exitCode == 0, "\(stopped)")
            let outage = try await child.wait(timeout: .seconds(120))
            #expect(outage.exitCode == 69 && !outage.signalled, "\(outage)")
            #expect(outage.stderr.contains("optout-sync: business unit cards: AWS unavailable"), "\(outage.stderr)")
            let confirmed = try await StateTables.count(s.connection, "sync_state", where: "state = 'in_sync'")
            #expect(confirmed >= 150 && confirmed < numbers.count)
            #expect(try await StateTables.count(s.connection, "outbox") == numbers.count - confirmed)

            let revived = try await EmulatorProcess.start(["--state", stateFile], port: s.emulator.url.port ?? 0)
            defer { revived.kill() }
            #expect(try await revived.state().numbers(of: "cards-optouts")?.count ?? 0 >= confirmed, "the state file kept the list")
            try await s.expectSuccess(["backfill"], timeout: .seconds(150))
            #expect(try await revived.state().numbers(of: "cards-optouts") == Set(numbers))
            #expect(try await revived.stats().requests("PutOptedOutNumber") == numbers.count - confirmed,
                    "exactly the unconfirmed numbers are sent after the outage")
            #expect(try await StateTables.numbers(s.connection, "sync_state", bu: "cards", where: "state = 'in_sync'") == Set(numbers))
            _ = try await revived.stop()
        }
    }

    /// `kill -9` at seeded random points (during the snapshot, the scan, the plan or the dispatch),
    /// several times, then a run to completion.
    @Test func killNineAtRandomPointsConvergesExactly() async throws {
        let numbers = Numbers.us(2000, offset: 8000)
        let seed = UInt64(ProcessInfo.processInfo.environment["OPTOUT_SYNC_E2E_SEED"] ?? "") ?? 20261203
        var random = SplitMix64(seed: seed)
        try await Self.withSlowBackfill(numbers, putRate: 500) { s in
            var kills = 0
            var trail: [String] = []   // phase@puts at each kill, for failure messages
            for round in 0..<5 {
                let child = try s.workspace.start(["backfill"])
                defer { child.kill() }
                let before = try await s.puts()
                if round == 0 || Bool.random(using: &random) {
                    try await Task.sleep(for: .milliseconds(Int.random(in: 20...600, using: &random)))
                } else {
                    try await Self.waitForPuts(s, atLeast: before + Int.random(in: 1...300, using: &random), while: child)
                }
                if child.hasExited { break }
                child.kill()
                let killed = try await child.wait()
                #expect(killed.signalled && killed.exitCode == SIGKILL, "seed \(seed) round \(round): \(killed)")
                kills += 1
                let phase = try await s.connection.query(
                    "SELECT coalesce(max(phase), 'none') FROM optout_sync.backfill_run WHERE finished_at IS NULL").first!.decode(String.self, at: 0)
                trail.append("\(phase)@\(try await s.puts())")
            }
            #expect(kills >= 3, "seed \(seed): the backfill finished before it could be killed (\(trail))")
            let final = try await s.run(["backfill"])
            #expect(final.exitCode == 0, "seed \(seed), kills at \(trail): \(final)")
            try await Self.expectConverged(s, numbers, interruptions: kills)
            if ProcessInfo.processInfo.environment["OPTOUT_SYNC_E2E_VERBOSE"] != nil { print("seed \(seed): kills at \(trail)") }
        }
    }
}
