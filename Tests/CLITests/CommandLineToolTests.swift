import Foundation
import Testing
@testable import CLI
import Configuration

/// The composition root in-process, with a capturing console.
@Suite struct CommandLineToolTests {
    func run(_ arguments: [String], environment: [String: String] = [:]) async -> (ExitCode, CapturedOutput) {
        let (console, captured) = Console.capturing()
        let code = await CommandLineTool.run(arguments: arguments, environment: environment, console: console)
        return (code, captured)
    }

    @Test func unknownBusinessUnitIsAUsageError() async throws {
        let config = try TemporaryConfig()
        defer { config.remove() }
        let (code, output) = await run(["check", "--config", config.path, "--bu", "cards", "--bu", "loans"])
        #expect(code == .usage)
        #expect(output.standardError.hasPrefix("optout-sync: unknown business unit 'loans' (configured: cards, travel-uk)"))
        #expect(output.standardError.contains("USAGE: optout-sync check"))
    }

    @Test func everyLaterCommandSaysItIsNotAvailable() async throws {
        let config = try TemporaryConfig()
        defer { config.remove() }
        for line in [["capture", "status"], ["reconcile"], ["run"], ["report"]] {
            let (code, output) = await run(line + ["--config", config.path])
            #expect(code == .failure, "\(line)")
            #expect(output.standardError == "optout-sync: '\(line[0])' is not available yet in this version\n")
            #expect(output.standardOutput.isEmpty)
        }
    }

    @Test func configurationErrorsExit78() async throws {
        let config = try TemporaryConfig { object in
            var aws = object["aws"] as! [String: Any]
            aws["max_attempts"] = -1
            object["aws"] = aws
        }
        defer { config.remove() }
        let (code, output) = await run(["migrate", "--config", config.path])
        #expect(code == .configuration)
        #expect(output.standardError == "optout-sync: configuration error: \(config.path): aws.max_attempts: expected a positive whole number, found -1\n")
    }

    @Test func selectedBusinessUnitsFollowTheConfigurationOrder() throws {
        let config = try TemporaryConfig()
        defer { config.remove() }
        let loaded = try ConfigLoader.load(path: config.path, environment: [:])
        let (console, _) = Console.capturing()
        var context = CommandContext(config: loaded, global: GlobalOptions(businessUnits: ["travel-uk", "cards"]),
                                     environment: [:], logger: .disabled, console: console)
        #expect(context.selectedBusinessUnits.map(\.name) == ["cards", "travel-uk"])
        context.global.businessUnits = ["travel-uk"]
        #expect(context.selectedBusinessUnits.map(\.name) == ["travel-uk"])
    }
}
