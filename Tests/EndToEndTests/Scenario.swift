import Foundation
import Postgres
import Testing
import TestSupport

/// One end-to-end test's world: a fresh state database, an emulator process, a workspace with the
/// configuration. Everything is torn down when `body` returns or throws.
struct Scenario {
    let db: PostgresFixture
    let connection: PostgresConnection
    let emulator: EmulatorProcess
    let workspace: ToolWorkspace

    /// `setUp` creates the legacy tables (on the state database's connection) and returns the
    /// `business_units[]` of the configuration.
    static func run(
        name: String = #function,
        emulatorArguments: [String] = [],
        maxInFlight: Int = 16, putRate: Double = 2000,
        setUp: (PostgresConnection) async throws -> [[String: Any]],
        _ body: (Scenario) async throws -> Void
    ) async throws {
        _ = try OptOutSyncBinary.path()
        try await PostgresFixture.withDatabase(name: name) { db in
            let connection = try await db.connect()
            let emulator = try await EmulatorProcess.start(emulatorArguments)
            defer { emulator.kill() }
            do {
                let units = try await setUp(connection)
                let workspace = try ToolWorkspace(config: ToolWorkspace.config(
                    stateConninfo: db.conninfo, endpoint: emulator.url, maxInFlight: maxInFlight, putRate: putRate,
                    businessUnits: units))
                let scenario = Scenario(db: db, connection: connection, emulator: emulator, workspace: workspace)
                try await scenario.expectSuccess(["migrate"])
                try await body(scenario)
                let stopped = try await emulator.stop()
                #expect(stopped.exitCode == 0 && !stopped.signalled, "emulator did not stop cleanly: \(stopped)")
            } catch {
                await connection.close()
                throw error
            }
            await connection.close()
        }
    }

    func run(_ arguments: [String], timeout: Duration = .seconds(90)) async throws -> ToolResult {
        try await workspace.run(arguments, timeout: timeout)
    }

    @discardableResult
    func expectSuccess(_ arguments: [String], timeout: Duration = .seconds(90),
                       sourceLocation: SourceLocation = #_sourceLocation) async throws -> ToolResult {
        let result = try await run(arguments, timeout: timeout)
        #expect(result.exitCode == 0 && !result.signalled, "\(arguments.joined(separator: " ")): \(result)", sourceLocation: sourceLocation)
        return result
    }

    /// The numbers on the emulator's list `name` (empty when the list does not exist).
    func listed(_ name: String) async throws -> Set<String> {
        try await emulator.state().numbers(of: name) ?? []
    }

    func puts() async throws -> Int { try await emulator.stats().requests("PutOptedOutNumber") }
}

/// A business unit's configuration object (docs/configuration.md), legacy part given.
func businessUnit(_ name: String, region: String, list: String, legacy: [String: Any]) -> [String: Any] {
    ["name": name, "default_region": region, "opt_out_list": list, "legacy": legacy]
}

/// A US state table `schema.optouts` (id serial primary key, mobile, opted_out boolean) holding
/// `numbers` spelled one way each, opted out; the predicate is `opted_out`.
func simpleUSTable(_ connection: PostgresConnection, schema: String, numbers: [String]) async throws -> [String: Any] {
    try await connection.executeScript("""
        CREATE SCHEMA \(schema);
        CREATE TABLE \(schema).optouts (id serial PRIMARY KEY, mobile text, opted_out boolean NOT NULL DEFAULT true);
        """)
    let rows: [[String?]] = numbers.enumerated().map { i, n in [Numbers.usSpellings(n)[i % 6]] }
    try await LegacyTables.insert(connection, into: "\(schema).optouts", columns: [("mobile", "text")], rows: rows)
    return ["table": "\(schema).optouts", "phone_column": "mobile", "opted_out_where": "opted_out"]
}
