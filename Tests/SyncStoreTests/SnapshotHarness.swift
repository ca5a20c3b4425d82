import Configuration
import Foundation
import PhoneNumbers
import Postgres
import SyncStore
import TestSupport

/// One fresh database holding both a legacy table and the migrated state schema `optout_sync`,
/// and the steps `BackfillService` takes to snapshot a BU (stage, apply in a transaction, drop).
struct SnapshotHarness {
    let db: PostgresFixture
    /// The state connection (also used to create and change legacy tables).
    let conn: PostgresConnection
    let schema = StateSchema("optout_sync")

    static func with<T>(name: String = #function, _ body: (SnapshotHarness) async throws -> T) async throws -> T {
        try await PostgresFixture.withDatabase(name: name) { db in
            let conn = try await db.connect()
            try await Migrator(logger: .disabled).migrate(on: conn, schema: "optout_sync")
            do {
                let value = try await body(SnapshotHarness(db: db, conn: conn))
                await conn.close()
                return value
            } catch {
                await conn.close()
                throw error
            }
        }
    }

    /// A BU configuration as the loader makes it from `legacy` (the `legacy` section of a BU).
    static func unit(_ legacy: [String: Any], name: String = "cards", defaultRegion: String = "GB") throws -> BusinessUnitConfig {
        let object: [String: Any] = [
            "aws": ["region": "us-east-1"],
            "sync": ["write_back": false],
            "business_units": [["name": name, "default_region": defaultRegion, "opt_out_list": "\(name)-list", "legacy": legacy]],
        ]
        return try ConfigLoader.parse(data: JSONSerialization.data(withJSONObject: object), environment: [:]).businessUnits[0]
    }

    /// Stage + apply (in one transaction) + drop staging, on fresh connections like the backfill.
    @discardableResult
    func snapshot(_ unit: BusinessUnitConfig, policy: UnverifiedNumberPolicy = .send) async throws -> LegacySnapshotter.Counts {
        let snapshotter = LegacySnapshotter(schema: schema, unit: unit, policy: policy, logger: .disabled)
        let legacy = try await db.connect(), helper = try await db.connect()
        do {
            let staged = try await snapshotter.stage(legacy: legacy, state: conn, helper: helper)
            let counts = try await helper.withTransaction { tx in try await snapshotter.apply(staged, on: tx) }
            try await snapshotter.dropStaging(on: helper)
            await legacy.close()
            await helper.close()
            return counts
        } catch {
            await legacy.close()
            await helper.close()
            throw error
        }
    }

    struct SnapshotRow: Equatable, CustomStringConvertible {
        var e164: String
        var raw: String
        var region: String
        var locator: String
        var verified: Bool
        var description: String { "\(e164) raw=\(raw) region=\(region) locator=\(locator) verified=\(verified)" }
    }

    func snapshotRows(_ bu: String = "cards") async throws -> [SnapshotRow] {
        try await conn.query("""
            SELECT e164, raw, region, row_locator, verified FROM optout_sync.legacy_snapshot WHERE bu = \(bu) ORDER BY e164
            """).map {
            SnapshotRow(e164: try $0.decode(String.self, at: 0), raw: try $0.decode(String.self, at: 1), region: try $0.decode(String.self, at: 2),
                        locator: try $0.decode(String.self, at: 3), verified: try $0.decode(Bool.self, at: 4))
        }
    }

    struct QuarantineRow: Equatable, CustomStringConvertible {
        var locator: String
        var raw: String?
        var reason: String
        var description: String { "\(locator) raw=\(raw ?? "NULL") reason=\(reason)" }
    }

    func quarantine(_ bu: String = "cards") async throws -> [QuarantineRow] {
        try await conn.query("""
            SELECT row_locator, raw_value, reason FROM optout_sync.quarantine WHERE bu = \(bu) ORDER BY row_locator
            """).map {
            QuarantineRow(locator: try $0.decode(String.self, at: 0), raw: try $0.decode(String?.self, at: 1), reason: try $0.decode(String.self, at: 2))
        }
    }

    /// Inserts `(id, phone)` rows into a `(id int, phone text, …)` table with bound values.
    func insert(_ table: String, _ rows: [(Int, String?)]) async throws {
        for (id, phone) in rows {
            try await conn.execute("INSERT INTO \(unsafeRaw: table) (id, phone) VALUES (\(id), \(phone))")
        }
    }
}
