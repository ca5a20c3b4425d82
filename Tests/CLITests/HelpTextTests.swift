import Testing
@testable import CLI

@Suite struct HelpTextTests {
    @Test func topLevelHelpListsCommandsOptionsAndExitCodes() {
        let help = HelpText.render(nil)
        for subcommand in Subcommand.allCases { #expect(help.contains("  \(subcommand.rawValue) "), "\(subcommand)") }
        for option in ["--config PATH", "--log-format text|json", "--log-level LEVEL", "--bu NAME", "--version"] {
            #expect(help.contains(option), "\(option)")
        }
        for code in ExitCode.allCases { #expect(help.contains("  \(code.rawValue) "), "\(code)") }
        #expect(help.contains("EXAMPLES:"))
    }

    @Test func everySubcommandHasHelpWithItsOptionsAndAnExample() {
        for subcommand in Subcommand.allCases {
            let help = HelpText.render(subcommand)
            #expect(help.hasPrefix("USAGE: optout-sync \(subcommand.rawValue)"))
            for option in subcommand.options { #expect(help.contains(option.synopsis), "\(subcommand) \(option.name)") }
            #expect(help.contains("EXAMPLE:\n  optout-sync \(subcommand.rawValue)"))
            #expect(help.contains("GLOBAL OPTIONS"))
        }
        #expect(HelpText.render(.backfill).contains("(default: aws.rate_limits)"))
    }
}
