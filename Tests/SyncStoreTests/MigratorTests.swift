import Logging
import Postgres
import SyncStore
import Testing
import TestSupport

@Suite struct MigratorTests {
    static let tables = ["aws_snapshot", "backfill_run", "business_unit", "divergence", "legacy_snapshot",
                         "legacy_snapshot_source", "normalization_cache", "outbox", "quarantine", "reconcile_run", "schema_version", "sync_state"]

    func tables(in schema: String, _ conn: PostgresConnection) async throws -> [String] {
        try await conn.query("SELECT tablename FROM pg_tables WHERE schemaname = \(schema) ORDER BY tablename")
            .map { try $0.decode(String.self, column: "tablename") }
    }

    @Test func bundledMigrationsAreEmbedded() throws {
        let migrations = try Migrator.bundled()
        #expect(migrations.first?.version == 1)
        #expect(migrations.first?.description == "initial")
        #expect(migrations.first?.sql.contains("CREATE TABLE IF NOT EXISTS outbox") == true)
    }

    @Test func migratingTwiceIsANoOp() async throws {
        try await PostgresFixture.withDatabase { db in
            let conn = try await db.connect()
            let migrator = try Migrator(logger: .disabled)
            let schema = "State \"Mixed\" Case"
            #expect(try await migrator.appliedVersion(on: conn, schema: schema) == 0)
            let first = try await migrator.migrate(on: conn, schema: schema)
            #expect(first.before == 0 && first.after == migrator.latestVersion)
            let second = try await migrator.migrate(on: conn, schema: schema)
            #expect(second.before == migrator.latestVersion && second.after == migrator.latestVersion)
            #expect(try await tables(in: schema, conn) == Self.tables)
            #expect(try await conn.query("SELECT count(*) AS n FROM \(identifier: schema).schema_version")[0].decode(Int.self, column: "n") == migrator.migrations.count)
            // search_path was only changed for the migration's transaction.
            #expect(try await conn.query("SELECT current_setting('search_path') AS p")[0].decode(String.self, column: "p") == "\"$user\", public")
        }
    }

    @Test func concurrentMigrationsBothSucceedAndApplyOnce() async throws {
        try await PostgresFixture.withDatabase { db in
            let migrator = try Migrator(logger: .disabled)
            let connections = [try await db.connect(), try await db.connect(), try await db.connect()]
            let results = try await withThrowingTaskGroup(of: (before: Int, after: Int).self) { group in
                for conn in connections { group.addTask { try await migrator.migrate(on: conn, schema: "optout_sync") } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(results.allSatisfy { $0.after == migrator.latestVersion })
            #expect(results.filter { $0.before == 0 }.count == 1)
            #expect(try await tables(in: "optout_sync", connections[0]) == Self.tables)
        }
    }

    @Test func aFailingMigrationLeavesNothingBehind() async throws {
        try await PostgresFixture.withDatabase { db in
            let conn = try await db.connect()
            let migrator = try Migrator(migrations: [
                .init(version: 1, description: "ok", sql: "CREATE TABLE a (x int);"),
                .init(version: 2, description: "broken", sql: "CREATE TABLE b (x int); SELECT * FROM nowhere;"),
            ], logger: .disabled)
            let error = await #expect(throws: PostgresError.self) { try await migrator.migrate(on: conn, schema: "s") }
            #expect(error?.sqlState == "42P01")
            #expect(error?.operation == "migration 2")
            #expect(try await conn.query("SELECT count(*) AS n FROM pg_namespace WHERE nspname = 's'")[0].decode(Int.self, column: "n") == 0)
        }
    }

    @Test func migrationFileNamesAreChecked() throws {
        #expect(try Migrator.Migration(fileName: "012_add_leases.sql", sql: "").version == 12)
        #expect(throws: Migrator.MigrationError.self) { try Migrator.Migration(fileName: "initial.sql", sql: "") }
        #expect(throws: Migrator.MigrationError.self) {
            try Migrator(migrations: [.init(version: 1, description: "a", sql: ""), .init(version: 1, description: "b", sql: "")], logger: .disabled)
        }
    }
}
