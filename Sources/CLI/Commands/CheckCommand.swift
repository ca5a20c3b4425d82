import Configuration
import Postgres
import Reporting
import SyncStore

/// `optout-sync check`: the configuration (already loaded and valid when this runs) and each
/// dependency, as a table of BU × check. In this version: `config` per BU and the state database.
enum CheckCommand {
    struct Row: Equatable {
        var businessUnit: String
        var check: String
        /// nil when the check passed; else the exit code this failure stands for.
        var failure: ExitCode?
        var detail: String
    }

    static func run(_ context: CommandContext) async -> ExitCode {
        var rows = context.selectedBusinessUnits.map(configRow)
        rows.append(await stateDatabaseRow(context))
        let table = TextTable(header: ["BU", "CHECK", "RESULT", "DETAIL"],
                              rows: rows.map { [$0.businessUnit, $0.check, $0.failure == nil ? "OK" : "FAIL", $0.detail] })
        context.console.out(table.render())
        return rows.compactMap(\.failure).first ?? .success
    }

    static func configRow(_ bu: BusinessUnitConfig) -> Row {
        var detail = "list \(bu.optOutList), \(bu.awsRegion), account \(bu.account), table \(bu.legacy.table)"
        if let eventLog = bu.legacy.eventLog { detail += " (event log by \(eventLog.timeColumn))" }
        return Row(businessUnit: bu.name, check: "config", failure: nil, detail: detail)
    }

    /// Connects, compares the applied schema version with this binary's, and checks the privileges
    /// the daemon needs on the state tables.
    static func stateDatabaseRow(_ context: CommandContext) async -> Row {
        let schema = context.config.stateDatabase.schema
        var row = Row(businessUnit: "-", check: "state database", failure: nil, detail: "")
        do {
            let migrator = try Migrator(logger: context.logger)
            row = try await StateDatabase.withConnection(context) { connection in
                let version = try await migrator.appliedVersion(on: connection, schema: schema)
                guard version >= migrator.latestVersion else {
                    return Row(businessUnit: "-", check: "state database", failure: .unavailable,
                               detail: "schema \(schema) at version \(version) of \(migrator.latestVersion): run optout-sync migrate")
                }
                let missing = try await tablesLackingPrivileges(connection, schema: schema)
                guard missing.isEmpty else {
                    return Row(businessUnit: "-", check: "state database", failure: .permissionDenied,
                               detail: "no SELECT/INSERT/UPDATE/DELETE on \(missing.joined(separator: ", "))")
                }
                return Row(businessUnit: "-", check: "state database", failure: nil,
                           detail: "connected; schema \(schema) at version \(version) of \(migrator.latestVersion)")
            }
        } catch {
            context.logger.error("state database check failed", ["error": String(describing: error)])
            row.failure = ExitCode(for: error)
            row.detail = String(describing: error)
        }
        return row
    }

    /// Tables of `schema` on which the current user lacks a privilege the daemon uses.
    static func tablesLackingPrivileges(_ connection: PostgresConnection, schema: String) async throws -> [String] {
        let rows = try await connection.query("""
            SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = \(schema) AND c.relkind IN ('r', 'p')
              AND NOT has_table_privilege(c.oid, 'SELECT, INSERT, UPDATE, DELETE')
            ORDER BY 1
            """)
        return try rows.map { try $0.decode(String.self, column: "name") }
    }
}
