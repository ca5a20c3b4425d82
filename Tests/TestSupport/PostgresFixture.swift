import Foundation
import Logging
import Postgres

/// A fresh, empty database on the throwaway test server, one per test, so tests run in parallel
/// without seeing each other's tables, schemas or notification channels.
///
///     try await PostgresFixture.withDatabase { db in
///         let conn = try await db.connect()
///         ...
///     }
///
/// The server comes from `OPTOUT_SYNC_TEST_PG` (a conninfo, exported by scripts/test and by
/// `eval "$(scripts/pg-throwaway start)"`); a missing variable fails the test with a clear message.
public struct PostgresFixture: Sendable {
    /// Conninfo of the fresh database (the server's conninfo with `dbname` replaced).
    public let conninfo: String
    public let databaseName: String

    public struct MissingServer: Error, CustomStringConvertible {
        public var description: String {
            "OPTOUT_SYNC_TEST_PG is not set: run the tests through scripts/test, or first eval \"$(scripts/pg-throwaway start)\""
        }
    }

    /// Conninfo of the test server's maintenance database.
    public static func serverConninfo() throws -> String {
        guard let value = ProcessInfo.processInfo.environment["OPTOUT_SYNC_TEST_PG"], !value.isEmpty else { throw MissingServer() }
        return value
    }

    /// `conninfo` with its database replaced (keyword form or URI).
    public static func conninfo(_ conninfo: String, database: String) -> String {
        if conninfo.hasPrefix("postgres://") || conninfo.hasPrefix("postgresql://") {
            return conninfo + (conninfo.contains("?") ? "&" : "?") + "dbname=\(database)"
        }
        return conninfo + " dbname='\(database)'"  // the last dbname wins
    }

    /// Creates a new database named after the test (plus a random suffix) and returns its fixture.
    public static func make(name: String = #function) async throws -> PostgresFixture {
        let server = try serverConninfo()
        let slug = name.lowercased().map { $0.isLetter || $0.isNumber ? $0 : "_" }.prefix(30)
        let database = "t_" + String(slug) + "_" + String(UInt32.random(in: 0...UInt32.max), radix: 36)
        let admin = try await PostgresConnection.connect(conninfo: server, logger: .disabled)
        try await admin.execute("CREATE DATABASE \(identifier: database)")
        await admin.close()
        return PostgresFixture(conninfo: conninfo(server, database: database), databaseName: database)
    }

    /// Runs `body` with a fresh database and drops it afterwards (also when `body` throws).
    public static func withDatabase<T>(
        name: String = #function,
        isolation: isolated (any Actor)? = #isolation,
        _ body: (PostgresFixture) async throws -> T
    ) async throws -> T {
        let fixture = try await make(name: name)
        do {
            let value = try await body(fixture)
            try await fixture.drop()
            return value
        } catch {
            try? await fixture.drop()
            throw error
        }
    }

    public func connect(logger: Logger = .disabled) async throws -> PostgresConnection {
        try await PostgresConnection.connect(conninfo: conninfo, logger: logger)
    }

    /// Drops the database, disconnecting anyone still on it.
    public func drop() async throws {
        let admin = try await PostgresConnection.connect(conninfo: Self.serverConninfo(), logger: .disabled)
        try await admin.execute("DROP DATABASE IF EXISTS \(identifier: databaseName) WITH (FORCE)")
        await admin.close()
    }
}
