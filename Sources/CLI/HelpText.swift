/// The help texts, rendered from `Subcommand`'s table.
public enum HelpText {
    /// The top-level help (nil) or a subcommand's.
    public static func render(_ subcommand: Subcommand?) -> String {
        guard let subcommand else { return topLevel() }
        var usage = "optout-sync \(subcommand.rawValue)"
        if let positional = subcommand.positionalSynopsis { usage += " \(positional)" }
        for option in subcommand.options { usage += " [\(option.synopsis)]" }
        usage += " [global options]"
        var text = "USAGE: \(usage)\n\n\(subcommand.summary)\n\(subcommand.discussion)\n"
        if !subcommand.options.isEmpty {
            text += "\nOPTIONS:\n" + table(subcommand.options.map { ($0.synopsis, $0.help) })
        }
        text += "\nGLOBAL OPTIONS:\n" + table(Subcommand.globalOptions.map { ($0.synopsis, $0.help) })
        text += "\nEXAMPLE:\n  \(subcommand.example)\n"
        text += "\nExit codes: see optout-sync --help.\n"
        return text
    }

    private static func topLevel() -> String {
        var text = """
        optout-sync \(toolVersion): migrate SMS opt-outs from legacy PostgreSQL tables into AWS End User
        Messaging SMS and Voice v2 opt-out lists, and keep both sides in sync.

        USAGE: optout-sync [global options] COMMAND [options]

        COMMANDS:

        """
        text += table(Subcommand.allCases.map { ($0.rawValue, $0.summary) })
        text += "\nGLOBAL OPTIONS (before or after the command):\n"
        text += table(Subcommand.globalOptions.map { ($0.synopsis, $0.help) })
        text += "\nEXIT CODES:\n"
        text += table(ExitCode.allCases.map { (String($0.rawValue), $0.meaning) })
        text += """

        EXAMPLES:
          optout-sync migrate && optout-sync check
          optout-sync backfill --bu cards --dry-run
          optout-sync backfill --help

        Configuration: docs/configuration.md (key paths such as business_units[0].legacy.table).

        """
        return text
    }

    private static func table(_ rows: [(String, String)]) -> String {
        let width = min(rows.map(\.0.count).max() ?? 0, 36)
        return rows.map { left, right in
            let padded = left.count >= width ? left + "  " : left + String(repeating: " ", count: width - left.count + 2)
            return "  " + padded + right + "\n"
        }.joined()
    }
}
