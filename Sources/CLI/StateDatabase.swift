import Configuration
import Postgres

/// Opening the state database the way every command does: the configured conninfo (libpq's `PG*`
/// variables fill the gaps) and the password from `password_file`, passed as a connection keyword.
enum StateDatabase {
    static func connect(_ context: CommandContext) async throws -> PostgresConnection {
        let database = context.config.stateDatabase
        return try await PostgresConnection.connect(conninfo: database.conninfo, password: database.password?.reveal(),
                                                    logger: context.logger.with("pg.database", "state"))
    }

    /// A reconnecting client (capped exponential backoff with jitter, about a minute of attempts).
    static func client(_ context: CommandContext) -> PostgresClient {
        let database = context.config.stateDatabase
        return PostgresClient(conninfo: database.conninfo, password: database.password?.reveal(),
                              logger: context.logger.with("pg.database", "state"), maxAttempts: 8)
    }

    /// Runs `body` on a fresh connection and closes it afterwards, also when `body` throws.
    static func withConnection<T: Sendable>(_ context: CommandContext, _ body: (PostgresConnection) async throws -> T) async throws -> T {
        let connection = try await connect(context)
        do {
            let value = try await body(connection)
            await connection.close()
            return value
        } catch {
            await connection.close()
            throw error
        }
    }

    /// A BU's legacy database: its own `legacy.conninfo`, else the state database.
    static func connectLegacy(_ context: CommandContext, _ unit: BusinessUnitConfig) async throws -> PostgresConnection {
        guard let conninfo = unit.legacy.conninfo else { return try await connect(context) }
        return try await PostgresConnection.connect(conninfo: conninfo, logger: context.logger.with("pg.database", "legacy"))
    }
}
