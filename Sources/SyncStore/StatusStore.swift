import Foundation
import Postgres
import SyncCore

/// What `optout-sync status` shows per BU, read from the state schema (so it works from another
/// terminal while a backfill or the daemon runs).
public struct UnitStatus: Sendable, Equatable, Codable {
    public var businessUnit: String
    public var backfill: BackfillProgress?
    /// Outbox depth by lane: live, repair, backfill.
    public var outboxLive: Int
    public var outboxRepair: Int
    public var outboxBackfill: Int
    public var oldestPendingSeconds: Double?
    public var quarantined: Int
    public var failedToAWS: Int
    public var lastReconcileAt: Date?
}

public struct StatusStore: Sendable {
    public let schema: StateSchema

    public init(schema: StateSchema) { self.schema = schema }

    public func status(of bu: String, on db: PostgresConnection) async throws -> UnitStatus {
        let backfill = try await BackfillStore(schema: schema, businessUnit: bu).latestRun(on: db)?.progress
        let rows = try await db.query("""
            SELECT (SELECT count(*) FROM \(unsafeRaw: schema.table("outbox")) WHERE bu = \(bu) AND lane = 0)::bigint,
                   (SELECT count(*) FROM \(unsafeRaw: schema.table("outbox")) WHERE bu = \(bu) AND lane = 1)::bigint,
                   (SELECT count(*) FROM \(unsafeRaw: schema.table("outbox")) WHERE bu = \(bu) AND lane = 2)::bigint,
                   (SELECT extract(epoch FROM now() - min(enqueued_at)) FROM \(unsafeRaw: schema.table("outbox")) WHERE bu = \(bu))::float8,
                   (SELECT count(*) FROM \(unsafeRaw: schema.table("quarantine")) WHERE bu = \(bu))::bigint,
                   (SELECT count(*) FROM \(unsafeRaw: schema.table("sync_state")) WHERE bu = \(bu) AND state = 'failed_to_aws')::bigint,
                   (SELECT extract(epoch FROM max(finished_at)) FROM \(unsafeRaw: schema.table("reconcile_run")) WHERE bu = \(bu))::float8
            """)
        let r = rows[0]
        return UnitStatus(
            businessUnit: bu, backfill: backfill,
            outboxLive: Int(try r.decode(Int64.self, at: 0)), outboxRepair: Int(try r.decode(Int64.self, at: 1)),
            outboxBackfill: Int(try r.decode(Int64.self, at: 2)), oldestPendingSeconds: try r.decode(Double?.self, at: 3),
            quarantined: Int(try r.decode(Int64.self, at: 4)), failedToAWS: Int(try r.decode(Int64.self, at: 5)),
            lastReconcileAt: try r.decode(Double?.self, at: 6).map { Date(timeIntervalSince1970: $0) })
    }
}
