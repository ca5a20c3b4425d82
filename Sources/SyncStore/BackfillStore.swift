import Foundation
import Logging
import Postgres
import SyncCore

/// The backfill's durable state in the state schema: the run record of each BU (phase and
/// counters, read by `status`), the AWS snapshot, the plan (outbox rows in the backfill lane) and
/// the outcome of each put. The outbox is the checkpoint: a number leaves it only when AWS
/// confirmed it (or refused it for good).
public struct BackfillStore: Sendable {
    public let schema: StateSchema
    public let businessUnit: String

    public init(schema: StateSchema, businessUnit: String) {
        self.schema = schema
        self.businessUnit = businessUnit
    }

    private var bu: String { businessUnit }
    private func t(_ name: String) -> String { schema.table(name) }

    // MARK: Business unit

    /// Records where the BU's AWS list is. When the list, account or region changed since the
    /// last run, what `sync_state` knew about AWS describes another list: it is forgotten, so the
    /// next plan sends every number again (the scan still skips what the new list holds).
    @discardableResult
    public func register(list: String, account: String, region: String, on db: PostgresConnection) async throws -> Bool {
        let identity = "\(account)/\(region)/\(list)"
        return try await db.withTransaction { tx in
            let previous = try await tx.query("""
                SELECT config_hash FROM \(unsafeRaw: t("business_unit")) WHERE name = \(bu) FOR UPDATE
                """).first.map { try $0.decode(String.self, at: 0) }
            try await tx.execute("""
                INSERT INTO \(unsafeRaw: t("business_unit")) (name, opt_out_list, aws_account, aws_region, config_hash)
                VALUES (\(bu), \(list), \(account), \(region), \(identity))
                ON CONFLICT (name) DO UPDATE SET opt_out_list = EXCLUDED.opt_out_list, aws_account = EXCLUDED.aws_account,
                    aws_region = EXCLUDED.aws_region, config_hash = EXCLUDED.config_hash, updated_at = now()
                """)
            guard let previous, previous != identity else { return false }
            try await tx.execute("DELETE FROM \(unsafeRaw: t("sync_state")) WHERE bu = \(bu)")
            return true
        }
    }

    // MARK: Run record

    public struct Run: Sendable, Equatable {
        public var id: Int64
        public var progress: BackfillProgress
    }

    /// The BU's unfinished run, if any (the one to resume).
    public func unfinishedRun(on db: PostgresConnection) async throws -> Run? {
        try await runs(on: db, where: "finished_at IS NULL").first
    }

    /// The latest run of the BU, finished or not (for `status`).
    public func latestRun(on db: PostgresConnection) async throws -> Run? {
        try await runs(on: db, where: "phase <> 'discarded'").first
    }

    private func runs(on db: PostgresConnection, where condition: String) async throws -> [Run] {
        try await db.query("""
            SELECT id, phase, rows_read, invalid, duplicates, already_in_aws, put, failed, coalesce(total, 0),
                   extract(epoch FROM coalesce(finished_at, updated_at) - started_at)::float8, stop_reason
            FROM \(unsafeRaw: t("backfill_run")) WHERE bu = \(bu) AND \(unsafeRaw: condition)
            ORDER BY started_at DESC, id DESC LIMIT 1
            """).map { row in
            let phase = BackfillProgress.Phase(rawValue: try row.decode(String.self, at: 1)) ?? .pending
            return Run(id: try row.decode(Int64.self, at: 0), progress: BackfillProgress(
                businessUnit: bu, phase: phase,
                rowsRead: Int(try row.decode(Int64.self, at: 2)), invalid: Int(try row.decode(Int64.self, at: 3)),
                duplicates: Int(try row.decode(Int64.self, at: 4)), alreadyInAWS: Int(try row.decode(Int64.self, at: 5)),
                planned: Int(try row.decode(Int64.self, at: 8)), put: Int(try row.decode(Int64.self, at: 6)),
                failed: Int(try row.decode(Int64.self, at: 7)), elapsedSeconds: try row.decode(Double.self, at: 9),
                stopReason: try row.decode(String?.self, at: 10)))
        }
    }

    public func startRun(on db: PostgresConnection) async throws -> Run {
        let rows = try await db.query("""
            INSERT INTO \(unsafeRaw: t("backfill_run")) (bu, phase) VALUES (\(bu), 'snapshot') RETURNING id
            """)
        return Run(id: try rows[0].decode(Int64.self, at: 0), progress: BackfillProgress(businessUnit: bu, phase: .snapshot))
    }

    /// `--restart`: the unfinished run is discarded with its queued backfill work; what AWS
    /// confirmed stays known (sync_state), numbers AWS refused are tried again.
    public func discardCheckpoint(on db: PostgresConnection) async throws {
        try await db.withTransaction { tx in
            try await tx.execute("""
                UPDATE \(unsafeRaw: t("backfill_run")) SET phase = 'discarded', finished_at = now(), updated_at = now()
                WHERE bu = \(bu) AND finished_at IS NULL
                """)
            try await tx.execute("DELETE FROM \(unsafeRaw: t("outbox")) WHERE bu = \(bu) AND lane = 2")
            try await tx.execute("DELETE FROM \(unsafeRaw: t("sync_state")) WHERE bu = \(bu) AND state = 'failed_to_aws'")
        }
    }

    public func save(_ run: Run, on db: PostgresConnection, finished: Bool = false) async throws {
        let p = run.progress
        try await db.execute("""
            UPDATE \(unsafeRaw: t("backfill_run"))
            SET phase = \(p.phase.rawValue), rows_read = \(p.rowsRead), invalid = \(p.invalid), duplicates = \(p.duplicates),
                already_in_aws = \(p.alreadyInAWS), total = \(p.planned), stop_reason = \(p.stopReason),
                updated_at = now(), finished_at = CASE WHEN \(finished) THEN now() END
            WHERE id = \(run.id)
            """)
    }

    // MARK: AWS snapshot

    public func clearAWSSnapshot(on db: PostgresConnection) async throws {
        try await db.execute("DELETE FROM \(unsafeRaw: t("aws_snapshot")) WHERE bu = \(bu)")
    }

    /// Adds one page of `DescribeOptedOutNumbers` to the AWS snapshot.
    public func addAWSPage(_ numbers: [(e164: String, optedOutAt: Date?, endUser: Bool)], on db: PostgresConnection) async throws {
        guard !numbers.isEmpty else { return }
        let times = numbers.map { $0.optedOutAt.map { String($0.timeIntervalSince1970) } ?? "" }
        try await db.execute("""
            INSERT INTO \(unsafeRaw: t("aws_snapshot")) (bu, e164, opted_out_at, end_user_opted_out)
            SELECT \(bu), n, to_timestamp(nullif(ts, '')::float8), eu
            FROM unnest(\(numbers.map(\.e164))::text[], \(times)::text[], \(numbers.map { $0.endUser ? "t" : "f" })::bool[]) AS x (n, ts, eu)
            ON CONFLICT (bu, e164) DO UPDATE
            SET opted_out_at = EXCLUDED.opted_out_at, end_user_opted_out = EXCLUDED.end_user_opted_out, seen_at = now()
            """)
    }

    // MARK: Plan

    /// Numbers of the legacy snapshot that AWS is not known to hold: what a backfill would put.
    public func workSetSize(on db: PostgresConnection) async throws -> Int {
        let rows = try await db.query("""
            SELECT count(*)::bigint FROM \(unsafeRaw: t("legacy_snapshot")) l
            WHERE l.bu = \(bu) AND NOT EXISTS (
                SELECT 1 FROM \(unsafeRaw: t("sync_state")) s
                WHERE s.bu = l.bu AND s.e164 = l.e164 AND (s.in_aws OR s.state = 'failed_to_aws'))
            """)
        return Int(try rows[0].decode(Int64.self, at: 0))
    }

    public struct Plan: Sendable, Equatable {
        /// Legacy numbers AWS already holds (scan or earlier confirmation).
        public var alreadyInAWS: Int
        /// Numbers queued for PutOptedOutNumber (new and still queued from before).
        public var queued: Int
    }

    /// `legacy \ aws \ already confirmed` into the outbox's backfill lane, idempotently; numbers
    /// the scan found in AWS are recorded as in sync.
    public func plan(on db: PostgresConnection) async throws -> Plan {
        try await db.execute("""
            INSERT INTO \(unsafeRaw: t("sync_state")) AS s (bu, e164, state, in_legacy, in_aws, confirmed_at)
            SELECT l.bu, l.e164, 'in_sync', true, true, now()
            FROM \(unsafeRaw: t("legacy_snapshot")) l JOIN \(unsafeRaw: t("aws_snapshot")) a USING (bu, e164)
            WHERE l.bu = \(bu)
            ON CONFLICT (bu, e164) DO UPDATE SET state = 'in_sync', in_legacy = true, in_aws = true, updated_at = now()
            WHERE s.state <> 'in_sync' OR NOT s.in_aws
            """)
        // Numbers already put by AWS-confirmed earlier work must not be queued again. Only the BU's
        // backfill, under the BU's lock, queues its puts: when none is queued yet (a first plan) a
        // plain insert does, 30% faster than skipping conflicts over a million rows (the unique key
        // still refuses a duplicate, loudly); a resumed plan skips what is queued.
        let anyQueued = try await db.query("""
            SELECT EXISTS (SELECT 1 FROM \(unsafeRaw: t("outbox")) WHERE bu = \(bu) AND direction = 'to_aws' AND action = 'put')
            """)[0].decode(Bool.self, at: 0)
        try await db.execute("""
            INSERT INTO \(unsafeRaw: t("outbox")) (bu, e164, direction, action, lane)
            SELECT l.bu, l.e164, 'to_aws', 'put', 2 FROM \(unsafeRaw: t("legacy_snapshot")) l
            WHERE l.bu = \(bu) AND NOT EXISTS (
                SELECT 1 FROM \(unsafeRaw: t("sync_state")) s
                WHERE s.bu = l.bu AND s.e164 = l.e164 AND (s.in_aws OR s.state = 'failed_to_aws'))
            \(unsafeRaw: anyQueued ? "ON CONFLICT (bu, e164, direction, action) DO NOTHING" : "")
            """)
        let rows = try await db.query("""
            SELECT (SELECT count(*) FROM \(unsafeRaw: t("legacy_snapshot")) l JOIN \(unsafeRaw: t("sync_state")) s USING (bu, e164)
                    WHERE l.bu = \(bu) AND s.in_aws)::bigint,
                   (SELECT count(*) FROM \(unsafeRaw: t("outbox")) WHERE bu = \(bu) AND direction = 'to_aws' AND action = 'put')::bigint
            """)
        return Plan(alreadyInAWS: Int(try rows[0].decode(Int64.self, at: 0)), queued: Int(try rows[0].decode(Int64.self, at: 1)))
    }

    // MARK: Outbox

    public struct Item: Sendable, Equatable {
        public var id: Int64
        public var e164: String
        public var attempts: Int
    }

    /// At the start of a run: leases left by a process that died are stale (the caller holds the
    /// BU's lock), and retry delays end, since the operator runs again because the cause is fixed.
    public func releaseLeases(on db: PostgresConnection) async throws {
        try await db.execute("""
            UPDATE \(unsafeRaw: t("outbox")) SET lease_owner = NULL, lease_expires_at = NULL, next_attempt_at = least(next_attempt_at, now())
            WHERE bu = \(bu) AND (lease_owner IS NOT NULL OR next_attempt_at > now())
            """)
    }

    /// Claims up to `limit` due puts of the BU, live lane first, under a lease.
    public func claim(limit: Int, owner: String, on db: PostgresConnection) async throws -> [Item] {
        try await db.query("""
            UPDATE \(unsafeRaw: t("outbox")) SET lease_owner = \(owner), lease_expires_at = now() + interval '10 minutes'
            WHERE id IN (
                SELECT id FROM \(unsafeRaw: t("outbox"))
                WHERE bu = \(bu) AND direction = 'to_aws' AND action = 'put' AND next_attempt_at <= now()
                  AND (lease_owner IS NULL OR lease_expires_at < now())
                ORDER BY lane, next_attempt_at, id LIMIT \(limit) FOR UPDATE SKIP LOCKED)
            RETURNING id, e164, attempts
            """).map { Item(id: try $0.decode(Int64.self, at: 0), e164: try $0.decode(String.self, at: 1), attempts: Int(try $0.decode(Int32.self, at: 2))) }
    }

    /// Seconds until the next queued put of the BU is due; nil when nothing is queued.
    public func nextDue(on db: PostgresConnection) async throws -> Double? {
        let rows = try await db.query("""
            SELECT CASE WHEN count(*) > 0 THEN greatest(0, extract(epoch FROM min(next_attempt_at) - now())) END::float8 FROM \(unsafeRaw: t("outbox"))
            WHERE bu = \(bu) AND direction = 'to_aws' AND action = 'put' AND lease_owner IS NULL
            """)
        return try rows.first?.decode(Double?.self, at: 0)
    }

    public enum Outcome: Sendable, Equatable {
        case confirmed
        case failed(code: String, reason: String)
        case retryLater(code: String, delaySeconds: Int)
        case released
    }

    /// Records a batch of outcomes in one transaction and adds them to the run's counters.
    /// Idempotent: the counters grow by the outbox rows this call removes, so a batch recorded again
    /// (its commit's reply lost, the connection retried) counts nothing twice.
    public func record(_ outcomes: [(item: Item, outcome: Outcome)], runID: Int64, on db: PostgresConnection) async throws {
        guard !outcomes.isEmpty else { return }
        var confirmed: [Item] = [], failed: [(Item, String, String)] = [], retry: [(Item, String, Int)] = [], released: [Item] = []
        for (item, outcome) in outcomes {
            switch outcome {
            case .confirmed: confirmed.append(item)
            case .failed(let code, let reason): failed.append((item, code, reason))
            case .retryLater(let code, let delay): retry.append((item, code, delay))
            case .released: released.append(item)
            }
        }
        try await db.withTransaction { tx in
            var put = 0, refused = 0
            if !confirmed.isEmpty {
                try await tx.execute("""
                    INSERT INTO \(unsafeRaw: t("sync_state")) AS s (bu, e164, state, in_legacy, in_aws, confirmed_at, attempts)
                    SELECT \(bu), n, 'in_sync', true, true, now(), a + 1 FROM unnest(\(confirmed.map(\.e164))::text[], \(confirmed.map { String($0.attempts) })::int[]) AS x (n, a)
                    ON CONFLICT (bu, e164) DO UPDATE
                    SET state = 'in_sync', in_legacy = true, in_aws = true, confirmed_at = now(), attempts = EXCLUDED.attempts,
                        aws_error_code = NULL, aws_error_reason = NULL, updated_at = now()
                    """)
                put = try await tx.execute("DELETE FROM \(unsafeRaw: t("outbox")) WHERE id = ANY (\(confirmed.map { String($0.id) })::bigint[])")
            }
            if !failed.isEmpty {
                try await tx.execute("""
                    INSERT INTO \(unsafeRaw: t("sync_state")) AS s (bu, e164, state, in_legacy, in_aws, aws_error_code, aws_error_reason, attempts)
                    SELECT \(bu), n, 'failed_to_aws', true, false, c, r, a + 1
                    FROM unnest(\(failed.map(\.0.e164))::text[], \(failed.map(\.1))::text[], \(failed.map(\.2))::text[], \(failed.map { String($0.0.attempts) })::int[]) AS x (n, c, r, a)
                    ON CONFLICT (bu, e164) DO UPDATE
                    SET state = 'failed_to_aws', in_aws = false, aws_error_code = EXCLUDED.aws_error_code,
                        aws_error_reason = EXCLUDED.aws_error_reason, attempts = EXCLUDED.attempts, updated_at = now()
                    """)
                refused = try await tx.execute("DELETE FROM \(unsafeRaw: t("outbox")) WHERE id = ANY (\(failed.map { String($0.0.id) })::bigint[])")
            }
            if !retry.isEmpty {
                try await tx.execute("""
                    UPDATE \(unsafeRaw: t("outbox")) o
                    SET attempts = o.attempts + 1, next_attempt_at = now() + make_interval(secs => x.d), last_error_code = x.c,
                        lease_owner = NULL, lease_expires_at = NULL
                    FROM unnest(\(retry.map { String($0.0.id) })::bigint[], \(retry.map(\.1))::text[], \(retry.map { String($0.2) })::int[]) AS x (id, c, d)
                    WHERE o.id = x.id
                    """)
            }
            if !released.isEmpty {
                try await tx.execute("""
                    UPDATE \(unsafeRaw: t("outbox")) SET lease_owner = NULL, lease_expires_at = NULL
                    WHERE id = ANY (\(released.map { String($0.id) })::bigint[])
                    """)
            }
            try await tx.execute("""
                UPDATE \(unsafeRaw: t("backfill_run")) SET put = put + \(put), failed = failed + \(refused), updated_at = now()
                WHERE id = \(runID)
                """)
        }
    }
}
