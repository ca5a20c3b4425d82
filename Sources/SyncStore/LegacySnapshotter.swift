import Configuration
import Foundation
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

        public init(rowsRead: Int = 0, invalid: Int = 0, duplicates: Int = 0, numbers: Int = 0, parsed: Int = 0) {
            (self.rowsRead, self.invalid, self.duplicates, self.numbers, self.parsed) = (rowsRead, invalid, duplicates, numbers, parsed)
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

    /// Staging tables of this BU in the state schema (unlogged, dropped by `dropStaging`).
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
        try await helper.execute(SQL(unsafeSQL: """
            CREATE UNLOGGED TABLE \(stageCacheTable) (region text, raw text, kind text, e164 text, reason text)
            """))
        let columns = isEventLog ? "row_locator, raw, region, event_at, status" : "row_locator, raw, region"
        let progress = RowCounter(report: onRowsRead)
        counts.rowsRead = try await CopyPipe.run(
            from: legacy, table.snapshotCopySQL(defaultRegion: unit.defaultRegion),
            to: helper, SQL(unsafeSQL: "COPY \(stageTable) (\(columns)) FROM STDIN"),
            transform: { rows in progress.add(rows.count); return rows }
        ).read
        try await helper.execute(SQL(unsafeSQL: "ANALYZE \(stageTable)"))
        logger.info("legacy rows read", ["rows": String(counts.rowsRead), "legacy.table": unit.legacy.table.description])

        // The distinct (region, raw) values the cache does not know → libphonenumber (all cores).
        let cache = schema.table("normalization_cache")
        let generation = quoteLiteral(Normalizer.cacheGeneration)
        let normalizer = try Normalizer(defaultRegion: unit.defaultRegion)
        // The DISTINCT over a million staged rows hashes in memory rather than spilling to disk
        // (reset afterwards; after an error the session keeps the larger setting).
        try await state.execute("SET work_mem = '128MB'")
        counts.parsed = try await CopyPipe.run(
            from: state, SQL(unsafeSQL: """
                COPY (SELECT DISTINCT s.region, s.raw FROM \(stageTable) s
                      WHERE s.raw IS NOT NULL AND NOT EXISTS (
                          SELECT 1 FROM \(cache) c
                          WHERE c.region = s.region AND c.raw = s.raw AND c.library_version = \(generation))) TO STDOUT
                """),
            to: helper, SQL(unsafeSQL: "COPY \(stageCacheTable) (region, raw, kind, e164, reason) FROM STDIN"),
            transform: { rows in
                let results = normalizer.normalizeAllBlocking(rows.map { RawPhoneNumber($0[1], region: $0[0]) })
                return zip(rows, results).map { row, result in [row[0], row[1]] + NormalizationColumns(result).fields }
            }
        ).written
        try await state.execute("RESET work_mem")
        logger.info("new values normalised", ["values": String(counts.parsed)])
        if persistCache {
            try await helper.execute(SQL(unsafeSQL: """
                INSERT INTO \(cache) (region, raw, kind, e164, reason, library_version)
                SELECT region, raw, kind, e164, reason, \(generation) FROM \(stageCacheTable)
                ORDER BY region, raw  -- key order: the index grows at its right edge
                ON CONFLICT (region, raw) DO UPDATE
                SET kind = EXCLUDED.kind, e164 = EXCLUDED.e164, reason = EXCLUDED.reason,
                    library_version = EXCLUDED.library_version, created_at = now()
                """))
            // Fresh statistics, or `apply` joins a million rows against a cache the planner thinks is small.
            if counts.parsed > 0 { try await helper.execute(SQL(unsafeSQL: "ANALYZE \(cache)")) }
            // The union in `apply` must not see a result twice.
            try await helper.execute(SQL(unsafeSQL: "TRUNCATE \(stageCacheTable)"))
        }
        return counts
    }

    /// Step 3, inside the caller's transaction (so a dry run can roll it back): `quarantine` gets
    /// the rows that cannot be normalised and loses those fixed or removed since; `legacy_snapshot`
    /// gets one row per E.164 number (for an event log, the numbers whose latest event is an opt-out).
    public func apply(_ staged: Counts, on tx: PostgresConnection) async throws -> Counts {
        var counts = staged
        let isEventLog = unit.legacy.eventLog != nil
        let generation = quoteLiteral(Normalizer.cacheGeneration)
        let quarantinePolicy = policy == .quarantine
        let resolved = """
            SELECT s.row_locator, s.raw, s.region, s.event_at, s.status,
                   CASE WHEN s.raw IS NULL THEN 'invalid'
                        WHEN c.kind = 'unverified' AND \(quarantinePolicy) THEN 'invalid' ELSE c.kind END AS kind,
                   c.e164,
                   CASE WHEN s.raw IS NULL THEN 'empty'
                        WHEN c.kind = 'unverified' AND \(quarantinePolicy) THEN 'possible_only' ELSE c.reason END AS reason
            FROM \(stageTable) s
            LEFT JOIN (SELECT region, raw, kind, e164, reason FROM \(schema.table("normalization_cache"))
                       WHERE library_version = \(generation)
                       UNION ALL
                       SELECT region, raw, kind, e164, reason FROM \(stageCacheTable)) c
                   ON c.region = s.region AND c.raw = s.raw
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
        counts.invalid = try await tx.execute("""
            INSERT INTO \(unsafeRaw: schema.table("quarantine")) AS q (bu, row_locator, raw_value, region, reason)
            SELECT \(unit.name), row_locator, raw, region, reason FROM resolved WHERE kind = 'invalid'
            ON CONFLICT (bu, row_locator) DO UPDATE
            SET raw_value = EXCLUDED.raw_value, region = EXCLUDED.region, reason = EXCLUDED.reason, last_seen_at = now()
            """)
        // Rows fixed or removed since the last snapshot leave the quarantine.
        try await tx.execute("""
            DELETE FROM \(unsafeRaw: schema.table("quarantine")) WHERE bu = \(unit.name) AND last_seen_at < now()
            """)
        // One row per number: the first row (state table) or the latest event (event log). Byte
        // order ("C") sorts faster than the database's collation and the order does not matter.
        let order = isEventLog ? "e164 COLLATE \"C\", event_at DESC NULLS LAST, row_locator DESC" : "e164 COLLATE \"C\", row_locator"
        try await tx.execute("""
            CREATE TEMP TABLE latest ON COMMIT DROP AS
            SELECT DISTINCT ON (e164 COLLATE "C") e164, raw, region, row_locator, kind = 'valid' AS verified, event_at AS changed_at, status
            FROM resolved WHERE kind <> 'invalid' ORDER BY \(unsafeRaw: order)
            """)
        let valid = try await tx.query("""
            SELECT (SELECT count(*) FROM resolved WHERE kind <> 'invalid')::bigint, (SELECT count(*) FROM latest)::bigint
            """)
        counts.duplicates = Int(try valid[0].decode(Int64.self, at: 0) - valid[0].decode(Int64.self, at: 1))
        if isEventLog {
            try await tx.execute("DELETE FROM latest WHERE NOT (status = ANY (\(optedOut)))")
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
        counts.numbers = Int(try await tx.query("SELECT count(*)::bigint FROM latest")[0].decode(Int64.self, at: 0))
        logger.info("legacy snapshot taken", [
            "rows": String(counts.rowsRead), "numbers": String(counts.numbers), "invalid": String(counts.invalid),
            "duplicates": String(counts.duplicates), "parsed": String(counts.parsed),
        ])
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

/// Counts rows crossing the pipe and reports the running total.
final class RowCounter: Sendable {
    private let total = Mutex<Int>(0)
    private let report: @Sendable (Int) -> Void

    init(report: @escaping @Sendable (Int) -> Void) { self.report = report }

    func add(_ n: Int) {
        let now = total.withLock { $0 += n; return $0 }
        report(now)
    }
}
