/// `optout-sync migrate`: apply the state schema (wired to SyncStore.Migrator once the Postgres layer lands).
enum MigrateCommand {
    static func run(_ context: CommandContext) async -> ExitCode {
        context.console.err("optout-sync: 'migrate' is not available yet in this version\n")
        return .failure
    }
}
