import SyncStore

/// `optout-sync migrate`: apply the state schema from `sql/` (embedded in the binary) to the state
/// database; idempotent; prints the version before and after.
enum MigrateCommand {
    static func run(_ context: CommandContext) async -> ExitCode {
        let schema = context.config.stateDatabase.schema
        do {
            let migrator = try Migrator(logger: context.logger)
            let (before, after) = try await StateDatabase.withConnection(context) { connection in
                try await migrator.migrate(on: connection, schema: schema)
            }
            context.console.out("state schema \(schema): version before \(before), after \(after)"
                                + (before == after ? " (already up to date)" : "") + "\n")
            return .success
        } catch {
            context.logger.error("migrate failed", ["error": String(describing: error)])
            context.console.err("optout-sync: migrate failed: \(error)\n")
            return ExitCode(for: error)
        }
    }
}
