/// `optout-sync check`: validate the configuration and the dependencies.
enum CheckCommand {
    static func run(_ context: CommandContext) async -> ExitCode {
        context.console.err("optout-sync: 'check' is not available yet in this version\n")
        return .failure
    }
}
