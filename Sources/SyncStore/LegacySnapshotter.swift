import Configuration
import Foundation
import Hashing
import Logging
import PhoneNumbers
import Postgres
import Synchronization

/// Takes a snapshot of one BU's legacy table into the state schema:
///
/// 1. one `COPY … TO STDOUT` of the opted-out rows (a single, consistent read) streamed into an
///    unlogged staging table in the state database;
/// 2. the distinct (region, raw) values the normalisation cache does not know are streamed out,
///    normalised in parallel (libphonenumber) and added to the cache;
/// 3. in one transaction: `quarantine` gets the rows that cannot be normalised (and leaves those
///    fixed or removed since), `legacy_snapshot` gets one row per E.164 number (for an event log:
///    the numbers whose latest event is an opt-out).
///
/// Rows read with the same digest (`MultisetDigest`, normaliser generation, policy) as the last
/// applied snapshot skip steps 2 and 3: nothing they would write could differ.
///
/// Postgres does the set arithmetic; the process only holds one batch of rows at a time.
public struct LegacySnapshotter: Sendable {
    public struct Counts: Sendable, Equatable {
        /// Legacy rows read (every row the predicate selected, valid or not).
        public var rowsRead = 0
        /// Rows quarantined.
        public var invalid = 0
        /// Valid rows that repeat a number another row already gave.
        public var duplicates = 0
        /// Distinct numbers now in the snapshot (opted out).
        public var numbers = 0
        /// Values parsed by libphonenumber this time (the rest came from the cache).
        public var parsed = 0
        /// The rows read were those of the last applied snapshot: normalise and apply were skipped
        /// and the counts are that snapshot's.
        public var unchanged = false
        /// What the rows were read with and what they were (`legacy_snapshot_source.digest`).
        var source: String?
        /// New normalisation results wait in the staging cache table (not merged into the cache).
        var resultsStaged = false

        public init(rowsRead: Int = 0, invalid: Int = 0, duplicates: Int = 0, numbers: Int = 0, parsed: Int = 0, unchanged: Bool = false) {
            (self.rowsRead, self.invalid, self.duplicates, self.numbers, self.parsed) = (rowsRead, invalid, duplicates, numbers, parsed)
            self.unchanged = unchanged
        }

        /// The counts; how they were obtained (`source`, `resultsStaged`) does not matter.
        public static func == (a: Counts, b: Counts) -> Bool {
            (a.rowsRead, a.invalid, a.duplicates, a.numbers, a.parsed, a.unchanged)
                == (b.rowsRead, b.invalid, b.duplicates, b.numbers, b.parsed, b.unchanged)
        }
    }

    public let schema: StateSchema
    public let unit: BusinessUnitConfig
    public let policy: UnverifiedNumberPolicy
    public let logger: Logger

    public init(schema: StateSchema, unit: BusinessUnitConfig, policy: UnverifiedNumberPolicy, logger: Logger) {
        self.schema = schema
        self.unit = unit
        self.policy = policy
        self.logger = logger
    }

    /// Staging tables of this BU in the state schema (unlogged, dropped by `dropStaging`); the cache
    /// one only for a dry run, whose results must not enter the cache.
    var stageTable: String { schema.table("stage_\(unit.name)") }
    var stageCacheTable: String { schema.table("stage_\(unit.name)_cache") }

    /// Steps 1 and 2: reads the legacy table into the staging table and normalises what the cache
    /// does not know. `legacy` reads the BU's table; `state` and `helper` are two connections to
    /// the state database (each COPY stream needs its own). With `persistCache` false (dry run) the
    /// new results stay in the BU's staging tables and the cache is left as it was.
    public func stage(legacy: PostgresConnection, state: PostgresConnection, helper: PostgresConnection,
                      persistCache: Bool = true,
                      onRowsRead: @escaping @Sendable (Int) -> Void = { _ in }) async throws -> Counts {
        var counts = Counts()
        let table = try await LegacyTable.inspect(unit.legacy, businessUnit: unit.name, on: legacy)
        let isEventLog = unit.legacy.eventLog != nil
        try await dropStaging(on: helper)
        try await helper.execute(SQL(unsafeSQL: """
            CREATE UNLOGGED TABLE \(stageTable) (row_locator text NOT NULL, raw text, region text NOT NULL,
                                                  event_at timestamptz, status text)
            """))
        let columns = isEventLog ? "row_locator, raw, region, event_at, status" : "row_locator, raw, region"
        let tally = StageTally(report: onRowsRead)
        counts.rowsRead = try await CopyPipe.run(
            from: legacy, table.snapshotCopySQL(defaultRegion: unit.defaultRegion),
            to: helper, SQL(unsafeSQL: "COPY \(stageTable) (\(columns)) FROM STDIN"),
            transform: { rows in tally.add(rows); return rows }
        ).read
        logger.info("legacy rows read", ["rows": String(counts.rowsRead), "legacy.table": unit.legacy.table.description])
        counts.source = sourceDigest(tally.digest)
        if var previous = try await lastSource(on: state), previous.source == counts.source {
            previous.unchanged = true
            logger.info("legacy rows unchanged since the last snapshot: normalise and apply skipped",
                        ["rows": String(previous.rowsRead), "numbers": String(previous.numbers)])
            return previous
        }
        try await helper.execute(SQL(unsafeSQL: "ANALYZE \(stageTable)"))

        // The distinct (region, raw) values the cache does not know → libphonenumber (all cores).
        let cache = schema.table("normalization_cache")
        let generation = quoteLiteral(Normalizer.cacheGeneration)
        let normalizer = try Normalizer(defaultRegion: unit.defaultRegion)
        let missing = SQL(unsafeSQL: """
            COPY (SELECT DISTINCT s.region, s.raw FROM \(stageTable) s
                  WHERE s.raw IS NOT NULL AND NOT EXISTS (
                      SELECT 1 FROM \(cache) c
                      WHERE c.region = s.region AND c.raw = s.raw AND c.library_version = \(generation))) TO STDOUT
            """)
        // Parsing (this process) overlaps writing the results (the server).
        func normalize(into copyIn: SQL, on sink: PostgresConnection, suffix: [String?]) async throws -> Int {
            // The DISTINCT over a million staged rows hashes in memory rather than spilling to disk
            // (reset afterwards; after an error the session keeps the larger setting).
            try await state.execute("SET work_mem = '128MB'")
            let written = try await CopyPipe.run(from: state, missing, to: sink, copyIn, transform: { rows in
                let results = normalizer.normalizeAllBlocking(rows.map { RawPhoneNumber($0[1], region: $0[0]) })
                return zip(rows, results).map { row, result in [row[0], row[1]] + NormalizationColumns(result).fields + suffix }
            }).written
            try await state.execute("RESET work_mem")
            return written
        }
        if persistCache {
            // Straight into the cache, one BU at a time: no key can collide (a concurrent snapshot's
            // results are committed before the next one looks for what is missing), and values that
            // two BUs share are parsed once.
            counts.parsed = try await helper.withTransaction { tx in
                try await tx.advisoryTransactionLock(key: PostgresConnection.advisoryKey("optout-sync normalization_cache \(schema.name)"))
                // Results of another libphonenumber generation are of no use to this binary.
                try await tx.execute(SQL(unsafeSQL: "DELETE FROM \(cache) WHERE library_version <> \(generation)"))
                return try await normalize(
                    into: SQL(unsafeSQL: "COPY \(cache) (region, raw, kind, e164, reason, library_version) FROM STDIN"),
                    on: tx, suffix: [Normalizer.cacheGeneration])
            }
            // Fresh statistics, or `apply` joins a million rows against a cache the planner thinks is small.
            if counts.parsed > 0 { try await helper.execute(SQL(unsafeSQL: "ANALYZE \(cache)")) }
        } else {
            try await helper.execute(SQL(unsafeSQL: """
                CREATE UNLOGGED TABLE \(stageCacheTable) (region text, raw text, kind text, e164 text, reason text)
                """))
            counts.parsed = try await normalize(
                into: SQL(unsafeSQL: "COPY \(stageCacheTable) (region, raw, kind, e164, reason) FROM STDIN"), on: helper, suffix: [])
            counts.resultsStaged = counts.parsed > 0
        }
        logger.info("new values normalised", ["values": String(counts.parsed)])
        return counts
    }

    /// Step 3, inside the caller's transaction (so a dry run can roll it back): `quarantine` gets
    /// the rows that cannot be normalised and loses those fixed or removed since; `legacy_snapshot`
    /// gets one row per E.164 number (for an event log, the numbers whose latest event is an opt-out).
    public func apply(_ staged: Counts, on tx: PostgresConnection) async throws -> Counts {
        let quarantine = schema.table("quarantine")
        if staged.unchanged {
            // Nothing else to write, but this snapshot has seen the quarantined rows again.
            try await tx.execute("UPDATE \(unsafeRaw: quarantine) SET last_seen_at = now() WHERE bu = \(unit.name)")
            return staged
        }
        var counts = staged
        let isEventLog = unit.legacy.eventLog != nil
        let generation = quoteLiteral(Normalizer.cacheGeneration)
        let quarantinePolicy = policy == .quarantine
        let cache = schema.table("normalization_cache")
        // Results of a dry run are only in the staging cache; otherwise a plain join (a union
        // would make the planner sort a million rows for a merge join).
        let results = counts.resultsStaged
            ? """
              (SELECT region, raw, kind, e164, reason FROM \(cache) WHERE library_version = \(generation)
               UNION ALL
               SELECT region, raw, kind, e164, reason FROM \(stageCacheTable)) c
                     ON c.region = s.region AND c.raw = s.raw
              """
            : "\(cache) c ON c.region = s.region AND c.raw = s.raw AND c.library_version = \(generation)"
        let resolved = """
            SELECT s.row_locator, s.raw, s.region, s.event_at, s.status,
                   CASE WHEN s.raw IS NULL THEN 'invalid'
                        WHEN c.kind = 'unverified' AND \(quarantinePolicy) THEN 'invalid' ELSE c.kind END AS kind,
                   c.e164,
                   CASE WHEN s.raw IS NULL THEN 'empty'
                        WHEN c.kind = 'unverified' AND \(quarantinePolicy) THEN 'possible_only' ELSE c.reason END AS reason
            FROM \(stageTable) s LEFT JOIN \(results)
            """
        let optedOut = unit.legacy.eventLog?.optedOutValues ?? []
        let optedIn = unit.legacy.eventLog?.optedInValues ?? []
        // Hash joins and the per-number sort of a million rows stay in memory.
        try await tx.execute("SET LOCAL work_mem = '128MB'")
        try await tx.execute("DROP TABLE IF EXISTS pg_temp.resolved, pg_temp.latest")
        try await tx.execute("CREATE TEMP TABLE resolved ON COMMIT DROP AS \(unsafeRaw: resolved)")
        if isEventLog {
            // Only events with a known status count; an invalid value counts only where it asserts an opt-out.
            try await tx.execute("DELETE FROM resolved WHERE NOT (status = ANY (\(optedOut + optedIn)))")
            try await tx.execute("DELETE FROM resolved WHERE kind = 'invalid' AND NOT (status = ANY (\(optedOut)))")
        }
        // New or changed rows in, every row still there seen now, rows fixed or removed since out.
        try await tx.execute("""
            INSERT INTO \(unsafeRaw: quarantine) AS q (bu, row_locator, raw_value, region, reason)
            SELECT \(unit.name), row_locator, raw, region, reason FROM resolved WHERE kind = 'invalid'
            ON CONFLICT (bu, row_locator) DO UPDATE
            SET raw_value = EXCLUDED.raw_value, region = EXCLUDED.region, reason = EXCLUDED.reason, last_seen_at = now()
            """)
        try await tx.execute("""
            DELETE FROM \(unsafeRaw: quarantine) q WHERE q.bu = \(unit.name) AND NOT EXISTS (
                SELECT 1 FROM resolved r WHERE r.kind = 'invalid' AND r.row_locator = q.row_locator)
            """)
        // One row per number: the first row (state table) or the latest event (event log). Numbers
        // sort as numbers ("+1206…" → 1206…; numeric, since possible-only numbers reach 19 digits):
        // faster than text, whose first bytes are the same for most numbers; the order does not matter.
        let number = "substr(e164, 2)::numeric"
        let order = isEventLog ? "\(number), event_at DESC NULLS LAST, row_locator DESC" : "\(number), row_locator"
        try await tx.execute("""
            CREATE TEMP TABLE latest ON COMMIT DROP AS
            SELECT DISTINCT ON (\(unsafeRaw: number)) e164, raw, region, row_locator, kind = 'valid' AS verified, event_at AS changed_at, status
            FROM resolved WHERE kind <> 'invalid' ORDER BY \(unsafeRaw: order)
            """)
        let tallies = try await tx.query("""
            SELECT count(*) FILTER (WHERE kind = 'invalid')::bigint, count(*) FILTER (WHERE kind <> 'invalid')::bigint,
                   (SELECT count(*) FROM latest)::bigint
            FROM resolved
            """)
        counts.invalid = Int(try tallies[0].decode(Int64.self, at: 0))
        let distinctNumbers = Int(try tallies[0].decode(Int64.self, at: 2))
        counts.duplicates = Int(try tallies[0].decode(Int64.self, at: 1)) - distinctNumbers
        counts.numbers = distinctNumbers
        if isEventLog {
            // Numbers whose latest event is an opt-in are not opted out.
            counts.numbers -= try await tx.execute("DELETE FROM latest WHERE NOT (status = ANY (\(optedOut)))")
        }
        // The snapshot changes only where the legacy table did: rows gone or different leave, new
        // or changed rows come in (a snapshot with no changes writes nothing).
        let snapshot = schema.table("legacy_snapshot")
        try await tx.execute("""
            DELETE FROM \(unsafeRaw: snapshot) l WHERE l.bu = \(unit.name) AND NOT EXISTS (
                SELECT 1 FROM latest n
                WHERE n.e164 = l.e164 AND n.raw = l.raw AND n.region = l.region AND n.row_locator = l.row_locator
                  AND n.verified = l.verified AND n.changed_at IS NOT DISTINCT FROM l.changed_at)
            """)
        try await tx.execute("""
            INSERT INTO \(unsafeRaw: snapshot) (bu, e164, raw, region, row_locator, verified, changed_at)
            SELECT \(unit.name), e164, raw, region, row_locator, verified, changed_at FROM latest n
            WHERE NOT EXISTS (SELECT 1 FROM \(unsafeRaw: snapshot) l WHERE l.bu = \(unit.name) AND l.e164 = n.e164)
            """)
        if let source = counts.source {
            try await tx.execute("""
                INSERT INTO \(unsafeRaw: schema.table("legacy_snapshot_source")) (bu, digest, rows_read, invalid, duplicates, numbers)
                VALUES (\(unit.name), \(source), \(Int64(counts.rowsRead)), \(Int64(counts.invalid)), \(Int64(counts.duplicates)), \(Int64(counts.numbers)))
                ON CONFLICT (bu) DO UPDATE
                SET digest = EXCLUDED.digest, rows_read = EXCLUDED.rows_read, invalid = EXCLUDED.invalid,
                    duplicates = EXCLUDED.duplicates, numbers = EXCLUDED.numbers, taken_at = now()
                """)
        }
        logger.info("legacy snapshot taken", [
            "rows": String(counts.rowsRead), "numbers": String(counts.numbers), "invalid": String(counts.invalid),
            "duplicates": String(counts.duplicates), "parsed": String(counts.parsed),
        ])
        return counts
    }

    /// Everything the apply step's output depends on: the rows read (as a multiset), the normaliser
    /// generation, the unverified-number policy and, for an event log, which statuses count.
    func sourceDigest(_ rows: MultisetDigest) -> String {
        let statuses = unit.legacy.eventLog.map { "out=\($0.optedOutValues) in=\($0.optedInValues) " } ?? ""
        return "v1 generation=\(Normalizer.cacheGeneration) policy=\(policy.rawValue) \(statuses)rows=\(rows.description)"
    }

    /// The counts and source digest of the last applied snapshot, if any.
    func lastSource(on connection: PostgresConnection) async throws -> Counts? {
        let rows = try await connection.query("""
            SELECT digest, rows_read, invalid, duplicates, numbers
            FROM \(unsafeRaw: schema.table("legacy_snapshot_source")) WHERE bu = \(unit.name)
            """)
        guard let row = rows.first else { return nil }
        var counts = Counts(rowsRead: Int(try row.decode(Int64.self, at: 1)), invalid: Int(try row.decode(Int64.self, at: 2)),
                            duplicates: Int(try row.decode(Int64.self, at: 3)), numbers: Int(try row.decode(Int64.self, at: 4)))
        counts.source = try row.decode(String.self, at: 0)
        return counts
    }

    public func dropStaging(on connection: PostgresConnection) async throws {
        try await connection.execute(SQL(unsafeSQL: "DROP TABLE IF EXISTS \(stageTable), \(stageCacheTable)"))
    }
}

/// A normalisation result as the cache's (kind, e164, reason) columns.
struct NormalizationColumns {
    var kind: String
    var e164: String?
    var reason: String?

    init(_ result: NormalizationResult) {
        switch result {
        case .valid(let number): (kind, e164, reason) = ("valid", number.description, nil)
        case .unverified(let number): (kind, e164, reason) = ("unverified", number.description, nil)
        case .invalid(let why): (kind, e164, reason) = ("invalid", nil, why.code)
        }
    }

    var fields: [String?] { [kind, e164, reason] }
}

/// Digests the rows crossing the staging pipe and reports the running count.
final class StageTally: Sendable {
    private let state = Mutex(MultisetDigest())
    private let report: @Sendable (Int) -> Void

    init(report: @escaping @Sendable (Int) -> Void) { self.report = report }

    func add(_ rows: [CopyPipe.Row]) {
        var batch = MultisetDigest()
        for row in rows { batch.add(row) }
        let total = state.withLock { $0.merge(batch); return $0.count }
        report(total)
    }

    var digest: MultisetDigest { state.withLock { $0 } }
}
