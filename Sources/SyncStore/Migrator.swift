import Logging
import Postgres

/// Applies the state schema (`sql/NNN_description.sql`, embedded at build time) to a schema.
///
/// Everything happens in one transaction holding `pg_advisory_xact_lock` on a key derived from the
/// schema name: a second `migrate` running at the same time waits, then finds the work done. Each
/// migration is idempotent on its own, and `schema_version` records which ones were applied.
public struct Migrator: Sendable {
    public struct Migration: Sendable, Equatable {
        public var version: Int
        public var description: String
        public var sql: String

        public init(version: Int, description: String, sql: String) {
            self.version = version
            self.description = description
            self.sql = sql
        }

        /// `007_add_leases.sql` → version 7, description "add leases".
        public init(fileName: String, sql: String) throws(MigrationError) {
            let stem = fileName.hasSuffix(".sql") ? String(fileName.dropLast(4)) : fileName
            let digits = stem.prefix(while: \.isNumber)
            guard let version = Int(digits), version > 0, stem.dropFirst(digits.count).first == "_" else {
                throw MigrationError(message: "migration file \(fileName) is not named NNN_description.sql")
            }
            self.init(version: version, description: stem.dropFirst(digits.count + 1).replacingOccurrences(of: "_", with: " "), sql: sql)
        }
    }

    public struct MigrationError: Error, Sendable, CustomStringConvertible {
        public var message: String
        public var description: String { "migration error: \(message)" }
    }

    /// The migrations compiled into this binary, in version order.
    public static func bundled() throws(MigrationError) -> [Migration] {
        var migrations: [Migration] = []
        for file in EmbeddedMigrations.files {
            migrations.append(try Migration(fileName: file.name, sql: file.sql))
        }
        return try ordered(migrations)
    }

    public let migrations: [Migration]
    public let logger: Logger

    public init(migrations: [Migration], logger: Logger) throws(MigrationError) {
        self.migrations = try Self.ordered(migrations)
        self.logger = logger
    }

    public init(logger: Logger) throws(MigrationError) {
        try self.init(migrations: Self.bundled(), logger: logger)
    }

    /// The newest version this binary knows.
    public var latestVersion: Int { migrations.last?.version ?? 0 }

    /// Brings `schema` up to `latestVersion`. Returns the version before and after.
    @discardableResult
    public func migrate(on connection: PostgresConnection, schema: String) async throws -> (before: Int, after: Int) {
        try await connection.withTransaction { conn in
            try await conn.advisoryTransactionLock(key: PostgresConnection.advisoryKey("optout-sync migrate \(schema)"))
            try await conn.execute("CREATE SCHEMA IF NOT EXISTS \(identifier: schema)")
            try await conn.execute("SET LOCAL search_path TO \(identifier: schema)")
            try await conn.execute("""
                CREATE TABLE IF NOT EXISTS schema_version (
                    version integer PRIMARY KEY,
                    applied_at timestamptz NOT NULL DEFAULT now(),
                    description text NOT NULL
                )
                """)
            let before = try await currentVersion(conn)
            if before > latestVersion {
                logger.warning("state schema is newer than this binary", ["pg.schema": schema, "schema.version": String(before)])
            }
            for migration in migrations where migration.version > before {
                logger.info("applying migration", ["pg.schema": schema, "schema.version": String(migration.version)])
                try await conn.executeScript(migration.sql, operation: "migration \(migration.version)")
                try await conn.execute(
                    "INSERT INTO schema_version (version, description) VALUES (\(migration.version), \(migration.description))")
            }
            return (before, try await currentVersion(conn))
        }
    }

    /// The applied version of `schema` (0 when nothing was applied), without changing anything.
    public func appliedVersion(on connection: PostgresConnection, schema: String) async throws -> Int {
        let exists = try await connection.query(
            "SELECT to_regclass(\(quoteIdentifier(schema) + ".schema_version")) IS NOT NULL AS present")
        guard try exists.first?.decode(Bool.self, column: "present") == true else { return 0 }
        return try await currentVersion(connection, schema: schema)
    }

    private func currentVersion(_ conn: PostgresConnection, schema: String? = nil) async throws -> Int {
        let table = PostgresQualifiedName(schema: schema, name: "schema_version")
        return try await conn.query("SELECT coalesce(max(version), 0) AS version FROM \(table)")
            .first?.decode(Int.self, column: "version") ?? 0
    }

    private static func ordered(_ migrations: [Migration]) throws(MigrationError) -> [Migration] {
        let sorted = migrations.sorted { $0.version < $1.version }
        for (a, b) in zip(sorted, sorted.dropFirst()) where a.version == b.version {
            throw MigrationError(message: "two migrations have version \(a.version)")
        }
        return sorted
    }
}
