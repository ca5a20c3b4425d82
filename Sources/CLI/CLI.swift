import Configuration
import Foundation
import Logging

/// Entry point of the `optout-sync` executable and its composition root: parse argv, load the
/// configuration, build the logger, dispatch to one command implementation.
public enum CommandLineTool {
    /// Called by `main.swift` before anything else runs (no other thread exists yet).
    public static func main(arguments: [String]) -> Never {
        let environment = ProcessInfo.processInfo.environment
        if case .success(.execute(_, .emulator)) = ArgumentParser.parse(arguments: arguments, environment: environment) {
            // The emulator waits for SIGINT/SIGTERM with sigwait: block them now, so that every thread
            // started from here on inherits the mask and none of them dies of the signal instead.
            EmulatorCommand.blockTerminationSignals()
        }
        // Not dispatchMain(): on Linux it parks the main thread in sigsuspend with an empty mask, which
        // would take SIGTERM there (and die of it). The main thread just waits; `exit` ends the process.
        Task.detached {
            let code = await run(arguments: arguments, environment: environment, console: .standard)
            exit(code.rawValue)
        }
        while true { DispatchSemaphore(value: 0).wait() }
    }

    /// Runs one command line and returns its exit code (testable in-process).
    public static func run(arguments: [String], environment: [String: String], console: Console) async -> ExitCode {
        let invocation: Invocation
        switch ArgumentParser.parse(arguments: arguments, environment: environment) {
        case .failure(let error):
            console.err("\(error)\n\n\(error.help)")
            return .usage
        case .success(let parsed):
            invocation = parsed
        }
        switch invocation {
        case .version:
            console.out("optout-sync \(toolVersion)\n")
            return .success
        case .help(let subcommand):
            console.out(HelpText.render(subcommand))
            return .success
        case .execute(let global, let command):
            return await execute(command, global: global, environment: environment, console: console)
        }
    }

    static func execute(_ command: Command, global: GlobalOptions, environment: [String: String], console: Console) async -> ExitCode {
        let logger = Logger(sink: StreamSink(format: global.logFormat ?? .automatic), level: global.logLevel)
        // The emulator needs no configuration.
        if case .emulator(let options) = command {
            return await EmulatorCommand.run(options, logger: logger, console: console)
        }
        // Commands later versions implement say so, before anything else happens.
        guard let implementation = implementation(of: command) else {
            console.err("optout-sync: '\(command.name.rawValue)' is not available yet in this version\n")
            return .failure
        }

        let config: Config
        do {
            config = try ConfigLoader.load(path: global.configPath, environment: environment)
        } catch {
            console.err("optout-sync: configuration error: \(error)\n")
            return .configuration
        }
        let unknown = global.businessUnits.filter { config.businessUnit(named: $0) == nil }
        if !unknown.isEmpty {
            let known = config.businessUnits.map(\.name).joined(separator: ", ")
            console.err("optout-sync: unknown business unit \(unknown.map { "'\($0)'" }.joined(separator: ", ")) (configured: \(known))\n\n"
                        + HelpText.render(command.name))
            return .usage
        }
        let context = CommandContext(config: config, global: global, environment: environment, logger: logger, console: console)
        return await implementation(context)
    }

    /// The implementation of each command that needs the configuration, or nil while it is not
    /// available in this version (`emulator` needs none and is dispatched before the configuration is loaded).
    /// To add one: write `XCommand.swift` with `static func run(_ context:, options) async -> ExitCode` and return it here.
    static func implementation(of command: Command) -> (@Sendable (CommandContext) async -> ExitCode)? {
        switch command {
        case .migrate: MigrateCommand.run
        case .check(let aws): { await CheckCommand.run($0, aws: aws) }
        case .backfill(let options): { await BackfillCommand.run($0, options: options) }
        case .status(let json): { await StatusCommand.run($0, json: json) }
        case .provision(let dryRun): { await ProvisionCommand.run($0, dryRun: dryRun) }
        case .capture, .reconcile, .run, .report: nil
        case .emulator: nil  // runs without a configuration file: see `execute`
        }
    }
}

/// What a command implementation gets: the loaded configuration and the process's surroundings.
public struct CommandContext: Sendable {
    public var config: Config
    public var global: GlobalOptions
    public var environment: [String: String]
    public var logger: Logger
    public var console: Console

    /// The business units selected by `--bu` (all when none was given), in configuration order.
    public var selectedBusinessUnits: [BusinessUnitConfig] {
        global.businessUnits.isEmpty ? config.businessUnits : config.businessUnits.filter { global.businessUnits.contains($0.name) }
    }
}
