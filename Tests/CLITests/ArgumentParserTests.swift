import Logging
import SMSVoiceEmulator
import Testing
@testable import CLI

@Suite struct ArgumentParserTests {
    func parse(_ line: String, environment: [String: String] = [:]) -> Result<Invocation, UsageError> {
        ArgumentParser.parse(arguments: line.split(separator: " ").map(String.init), environment: environment)
    }

    func command(_ line: String, environment: [String: String] = [:]) throws -> (GlobalOptions, Command) {
        guard case .execute(let global, let command) = try parse(line, environment: environment).get() else {
            Issue.record("'\(line)' did not parse to a command")
            throw CancellationError()
        }
        return (global, command)
    }

    func usageError(_ line: String) -> UsageError? {
        guard case .failure(let error) = parse(line) else { Issue.record("'\(line)' parsed"); return nil }
        return error
    }

    @Test func everySubcommandParses() throws {
        #expect(try command("migrate").1 == .migrate)
        #expect(try command("check").1 == .check(aws: true))
        #expect(try command("check --no-aws").1 == .check(aws: false))
        #expect(try command("run").1 == .run)
        #expect(try command("provision").1 == .provision(dryRun: false))
        #expect(try command("provision --dry-run").1 == .provision(dryRun: true))
        #expect(try command("capture install").1 == .capture(.install))
        #expect(try command("capture uninstall").1 == .capture(.uninstall))
        #expect(try command("capture status").1 == .capture(.status))
        #expect(try command("backfill").1 == .backfill(BackfillOptions()))
        #expect(try command("backfill --dry-run --restart --rate 2.5").1 == .backfill(BackfillOptions(dryRun: true, restart: true, rate: 2.5)))
        #expect(try command("reconcile --full --dry-run --check").1 == .reconcile(ReconcileOptions(full: true, dryRun: true, check: true)))
        #expect(try command("reconcile").1 == .reconcile(ReconcileOptions()))
        #expect(try command("report").1 == .report(ReportOptions()))
        #expect(try command("report --format html --output /tmp/r.html --mask").1
                == .report(ReportOptions(format: .html, output: "/tmp/r.html", mask: true)))
        #expect(try command("status").1 == .status(json: false))
        #expect(try command("status --json").1 == .status(json: true))
        var emulatorDefaults = EmulatorOptions()
        emulatorDefaults.port = 4580
        #expect(try command("emulator").1 == .emulator(emulatorDefaults))
    }

    @Test func emulatorOptionsAreTyped() throws {
        let (_, parsed) = try command("emulator --port 0 --region eu-west-2 --credentials AK:SK --credentials AK2:SK2:TOK "
                                      + "--quota PutOptedOutNumber=10 --quota=DescribeOptOutLists=0.5 --latency-ms 50 "
                                      + "--fault-rate 0.1 --seed 42 --state /tmp/emu.json")
        var expected = EmulatorOptions()
        expected.port = 0
        expected.region = "eu-west-2"
        expected.credentials = [EmulatorCredential(accessKeyID: "AK", secretAccessKey: "SK"),
                                EmulatorCredential(accessKeyID: "AK2", secretAccessKey: "SK2", sessionToken: "TOK")]
        expected.quotas = ["PutOptedOutNumber": 10, "DescribeOptOutLists": 0.5]
        expected.latencyMs = 50
        expected.faultRate = 0.1
        expected.seed = 42
        expected.stateFile = "/tmp/emu.json"
        #expect(parsed == .emulator(expected))
        #expect(EmulatorOptions().credentials == [.awsTestSuite])
    }

    @Test func globalOptionsBeforeOrAfterTheSubcommand() throws {
        let before = try command("--config /x.json --log-format json --log-level debug --bu cards --bu travel backfill --dry-run")
        let after = try command("backfill --dry-run --config /x.json --log-format json --log-level debug --bu cards --bu travel")
        let mixed = try command("--bu=cards backfill --config=/x.json --dry-run --log-level=debug --log-format=json --bu travel")
        let expected = GlobalOptions(configPath: "/x.json", logFormat: .json, logLevel: .debug, businessUnits: ["cards", "travel"])
        #expect(before.0 == expected)
        #expect(after.0 == expected)
        #expect(mixed.0 == expected)
        #expect(before.1 == after.1 && after.1 == mixed.1)
    }

    @Test func configPathDefaults() throws {
        #expect(try command("check").0.configPath == "/etc/optout-sync/config.json")
        #expect(try command("check", environment: ["OPTOUT_SYNC_CONFIG": "/srv/c.json"]).0.configPath == "/srv/c.json")
        #expect(try command("check --config /a.json", environment: ["OPTOUT_SYNC_CONFIG": "/srv/c.json"]).0.configPath == "/a.json")
        let defaults = try command("check").0
        #expect(defaults.logFormat == nil && defaults.logLevel == .info && defaults.businessUnits.isEmpty)
    }

    @Test func helpAndVersion() throws {
        #expect(try parse("--help").get() == .help(nil))
        #expect(try parse("-h").get() == .help(nil))
        #expect(try parse("backfill --help").get() == .help(.backfill))
        #expect(try parse("--help backfill --bogus").get() == .help(.backfill))
        #expect(try parse("--version").get() == .version)
        #expect(try parse("check --version").get() == .version)
    }

    @Test func unknownOptionGivesThatCommandsHelp() throws {
        let error = try #require(usageError("backfill --dryrun"))
        #expect(error.subcommand == .backfill)
        #expect(error.message == "unknown option '--dryrun' (did you mean '--dry-run'?)")
        #expect(error.help.hasPrefix("USAGE: optout-sync backfill [--dry-run] [--restart] [--rate N] [global options]"))
        let top = try #require(usageError("--frobnicate check"))
        #expect(top.subcommand == nil)
        #expect(top.help.contains("EXIT CODES"))
        let early = try #require(usageError("--dry-run backfill"))
        #expect(early.message == "unknown option '--dry-run' (it belongs after its command)")
        #expect(usageError("check --dry-run")?.subcommand == .check)
    }

    @Test func missingAndBadValues() {
        #expect(usageError("backfill --rate")?.message == "option '--rate' needs a value N")
        #expect(usageError("backfill --rate --dry-run")?.message == "option '--rate' needs a value N")
        #expect(usageError("backfill --rate 0")?.message == "option '--rate' expects a positive number, not '0'")
        #expect(usageError("backfill --rate=fast")?.subcommand == .backfill)
        #expect(usageError("check --config")?.message == "option '--config' needs a value PATH")
        #expect(usageError("check --log-format xml")?.message == "option '--log-format' expects text or json, not 'xml'")
        #expect(usageError("check --log-level loud")?.message.hasPrefix("option '--log-level' expects one of trace, debug") == true)
        #expect(usageError("report --format pdf")?.message == "option '--format' expects csv, json or html, not 'pdf'")
        #expect(usageError("provision --dry-run=yes")?.message == "option '--dry-run' takes no value")
        #expect(usageError("backfill --rate 1 --rate 2")?.message == "option '--rate' given more than once")
        #expect(usageError("emulator --port 70000")?.subcommand == .emulator)
        #expect(usageError("emulator --quota Put")?.subcommand == .emulator)
        #expect(usageError("emulator --credentials AKID")?.subcommand == .emulator)
        #expect(usageError("emulator --fault-rate 1.5")?.subcommand == .emulator)
        #expect(usageError("emulator --region Mars")?.subcommand == .emulator)
    }

    @Test func commandsAndPositionals() {
        #expect(usageError("")?.message == "missing command")
        #expect(usageError("--bu cards")?.message == "missing command")
        #expect(usageError("chekc")?.message == "unknown command 'chekc' (did you mean 'check'?)")
        #expect(usageError("capture")?.message == "capture needs an action: install, uninstall, status")
        #expect(usageError("capture remove")?.subcommand == .capture)
        #expect(usageError("capture install status")?.subcommand == .capture)
        #expect(usageError("migrate now")?.message == "unexpected argument 'now'")
    }

    @Test func doubleDashEndsOptions() throws {
        #expect(try command("capture -- status").1 == .capture(.status))
    }
}
