import Configuration
import Logging
import SMSVoiceEmulator

/// Turns argv into an `Invocation`. Pure: the arguments and the environment are parameters.
///
/// Global options may stand before or after the subcommand; options take `--name value` or
/// `--name=value`; `--` ends the options. `--help` anywhere shows the help of the subcommand given.
public enum ArgumentParser {
    public static func parse(arguments: [String], environment: [String: String]) -> Result<Invocation, UsageError> {
        do throws(UsageError) {
            return .success(try parseOrThrow(arguments, environment: environment))
        } catch {
            return .failure(error)
        }
    }

    /// Options as given: name → values (flags have one empty value per occurrence).
    private struct Collected {
        var subcommand: Subcommand?
        var values: [String: [String]] = [:]
        var positionals: [String] = []
        var help = false
        var version = false

        func flag(_ name: String) -> Bool { values[name] != nil }
        func value(_ name: String) -> String? { values[name]?.last }
    }

    private static func parseOrThrow(_ arguments: [String], environment: [String: String]) throws(UsageError) -> Invocation {
        let collected: Collected
        do {
            collected = try collect(arguments)
        } catch {
            // `--help` wins over a mistake elsewhere on the line: show the help that was asked for.
            let options = arguments.prefix { $0 != "--" }
            if options.contains("--help") || options.contains("-h") { return .help(error.subcommand) }
            throw error
        }
        if collected.help { return .help(collected.subcommand) }
        if collected.version { return .version }
        guard let subcommand = collected.subcommand else {
            throw UsageError(message: "missing command", subcommand: nil)
        }
        let global = try globalOptions(collected, environment: environment)
        return .execute(global, try command(subcommand, collected))
    }

    private static func collect(_ arguments: [String]) throws(UsageError) -> Collected {
        var collected = Collected()
        var index = 0
        var optionsEnded = false
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            if optionsEnded || !argument.hasPrefix("-") || argument == "-" {
                if collected.subcommand == nil {
                    guard let subcommand = Subcommand(rawValue: argument) else {
                        var message = "unknown command '\(argument)'"
                        if let near = Spelling.closest(to: argument, among: Subcommand.allCases.map(\.rawValue)) { message += " (did you mean '\(near)'?)" }
                        throw UsageError(message: message, subcommand: nil)
                    }
                    collected.subcommand = subcommand
                } else {
                    collected.positionals.append(argument)
                }
                continue
            }
            if argument == "--" { optionsEnded = true; continue }
            if argument == "-h" || argument == "--help" { collected.help = true; continue }
            if argument == "--version" { collected.version = true; continue }

            let name: String, inline: String?
            if let equals = argument.firstIndex(of: "=") {
                name = String(argument[..<equals])
                inline = String(argument[argument.index(after: equals)...])
            } else {
                name = argument
                inline = nil
            }
            let known = Subcommand.globalOptions + (collected.subcommand?.options ?? [])
            guard let spec = known.first(where: { $0.name == name }) else {
                var message = "unknown option '\(name)'"
                if collected.subcommand == nil, Subcommand.allCases.contains(where: { $0.options.contains { $0.name == name } }) {
                    message += " (it belongs after its command)"
                } else if let near = Spelling.closest(to: name, among: known.map(\.name)) {
                    message += " (did you mean '\(near)'?)"
                }
                throw UsageError(message: message, subcommand: collected.subcommand)
            }
            let value: String
            if spec.takesValue {
                if let inline {
                    value = inline
                } else if index < arguments.count, !arguments[index].hasPrefix("--") {
                    value = arguments[index]
                    index += 1
                } else {
                    throw UsageError(message: "option '\(name)' needs a value \(spec.valueName!)", subcommand: collected.subcommand)
                }
            } else {
                guard inline == nil else {
                    throw UsageError(message: "option '\(name)' takes no value", subcommand: collected.subcommand)
                }
                value = ""
            }
            if !spec.repeatable, collected.values[name] != nil {
                throw UsageError(message: "option '\(name)' given more than once", subcommand: collected.subcommand)
            }
            collected.values[name, default: []].append(value)
        }
        return collected
    }

    private static func globalOptions(_ collected: Collected, environment: [String: String]) throws(UsageError) -> GlobalOptions {
        var global = GlobalOptions()
        let sub = collected.subcommand
        if let path = collected.value("--config") ?? environment["OPTOUT_SYNC_CONFIG"].flatMap({ $0.isEmpty ? nil : $0 }) {
            guard !path.isEmpty else { throw UsageError(message: "option '--config' needs a file path", subcommand: sub) }
            global.configPath = path
        }
        if let text = collected.value("--log-format") {
            guard let format = LogFormat(rawValue: text) else {
                throw UsageError(message: "option '--log-format' expects text or json, not '\(text)'", subcommand: sub)
            }
            global.logFormat = format
        }
        if let text = collected.value("--log-level") {
            guard let level = LogLevel(name: text) else {
                let names = LogLevel.allCases.map(\.description).joined(separator: ", ")
                throw UsageError(message: "option '--log-level' expects one of \(names), not '\(text)'", subcommand: sub)
            }
            global.logLevel = level
        }
        global.businessUnits = collected.values["--bu"] ?? []
        if global.businessUnits.contains(where: \.isEmpty) {
            throw UsageError(message: "option '--bu' needs a business unit name", subcommand: sub)
        }
        return global
    }

    private static func command(_ subcommand: Subcommand, _ collected: Collected) throws(UsageError) -> Command {
        if subcommand != .capture, let extra = collected.positionals.first {
            throw UsageError(message: "unexpected argument '\(extra)'", subcommand: subcommand)
        }
        switch subcommand {
        case .migrate: return .migrate
        case .check: return .check(aws: !collected.flag("--no-aws"))
        case .run: return .run
        case .provision: return .provision(dryRun: collected.flag("--dry-run"))
        case .status: return .status(json: collected.flag("--json"))
        case .capture:
            let actions = CaptureAction.allCases.map(\.rawValue).joined(separator: ", ")
            guard let first = collected.positionals.first else {
                throw UsageError(message: "capture needs an action: \(actions)", subcommand: subcommand)
            }
            guard collected.positionals.count == 1, let action = CaptureAction(rawValue: first) else {
                throw UsageError(message: "capture expects one action of \(actions), not '\(collected.positionals.joined(separator: " "))'", subcommand: subcommand)
            }
            return .capture(action)
        case .backfill:
            var options = BackfillOptions(dryRun: collected.flag("--dry-run"), restart: collected.flag("--restart"))
            if let text = collected.value("--rate") {
                options.rate = try positiveNumber(text, option: "--rate", subcommand: subcommand)
            }
            return .backfill(options)
        case .reconcile:
            return .reconcile(ReconcileOptions(full: collected.flag("--full"), dryRun: collected.flag("--dry-run"), check: collected.flag("--check")))
        case .report:
            var options = ReportOptions(output: collected.value("--output"), mask: collected.flag("--mask"))
            if let text = collected.value("--format") {
                guard let format = ReportFormat(rawValue: text) else {
                    throw UsageError(message: "option '--format' expects csv, json or html, not '\(text)'", subcommand: subcommand)
                }
                options.format = format
            }
            if options.output == "" { throw UsageError(message: "option '--output' needs a file path", subcommand: subcommand) }
            return .report(options)
        case .emulator:
            return .emulator(try emulatorOptions(collected))
        }
    }

    private static func emulatorOptions(_ collected: Collected) throws(UsageError) -> EmulatorOptions {
        var options = EmulatorOptions()
        options.port = 4580
        let sub = Subcommand.emulator
        if let text = collected.value("--port") {
            guard let port = UInt16(text) else { throw UsageError(message: "option '--port' expects 0 to 65535, not '\(text)'", subcommand: sub) }
            options.port = port
        }
        if let region = collected.value("--region") {
            guard Shapes.isAWSRegion(region) else {
                throw UsageError(message: "option '--region' expects an AWS region such as us-east-1, not '\(region)'", subcommand: sub)
            }
            options.region = region
        }
        if let list = collected.values["--credentials"] {
            options.credentials = []
            for text in list {
                guard let credential = EmulatorCredential(argument: text) else {
                    throw UsageError(message: "option '--credentials' expects AKID:SECRET or AKID:SECRET:TOKEN", subcommand: sub)
                }
                options.credentials.append(credential)
            }
        }
        for text in collected.values["--quota"] ?? [] {
            guard let (operation, rate) = EmulatorOptions.parseQuota(text) else {
                throw UsageError(message: "option '--quota' expects OPERATION=RATE with a positive rate and one of "
                                 + EmulatorOptions.operationNames.joined(separator: ", ") + ", not '\(text)'", subcommand: sub)
            }
            options.quotas[operation] = rate
        }
        if let text = collected.value("--latency-ms") {
            guard let millis = Int64(text), millis >= 0 else {
                throw UsageError(message: "option '--latency-ms' expects a whole number of milliseconds, not '\(text)'", subcommand: sub)
            }
            options.latencyMs = Double(millis)
        }
        if let text = collected.value("--fault-rate") {
            guard let rate = Double(text), rate >= 0, rate <= 1 else {
                throw UsageError(message: "option '--fault-rate' expects a probability from 0 to 1, not '\(text)'", subcommand: sub)
            }
            options.faultRate = rate
        }
        if let text = collected.value("--seed") {
            guard let seed = UInt64(text) else { throw UsageError(message: "option '--seed' expects a whole number, not '\(text)'", subcommand: sub) }
            options.seed = seed
        }
        if let path = collected.value("--state") {
            guard !path.isEmpty else { throw UsageError(message: "option '--state' needs a file path", subcommand: sub) }
            options.stateFile = path
        }
        return options
    }

    private static func positiveNumber(_ text: String, option: String, subcommand: Subcommand) throws(UsageError) -> Double {
        guard let number = Double(text), number > 0, number.isFinite else {
            throw UsageError(message: "option '\(option)' expects a positive number, not '\(text)'", subcommand: subcommand)
        }
        return number
    }
}
