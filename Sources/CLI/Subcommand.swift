/// One option as the parser and the help text see it.
struct OptionSpec: Sendable {
    var name: String
    /// The placeholder of its value (`PATH`), or nil for a flag.
    var valueName: String?
    var help: String
    var repeatable = false

    var takesValue: Bool { valueName != nil }
    var synopsis: String { valueName.map { "\(name) \($0)" } ?? name }
}

/// The subcommands, with everything their help and parser need: one table, one home.
public enum Subcommand: String, Sendable, Equatable, CaseIterable {
    case migrate, check, provision, capture, backfill, reconcile, run, report, status, emulator

    var summary: String {
        switch self {
        case .migrate: "Apply the state schema to the state database (idempotent)."
        case .check: "Validate the configuration and every dependency."
        case .provision: "Create missing opt-out lists and associate them with the BU's pools."
        case .capture: "Install, remove or show the change-capture trigger on each legacy table."
        case .backfill: "One-shot migration of legacy opt-outs into AWS (checkpointed, resumable)."
        case .reconcile: "One reconcile pass in both directions; records divergence."
        case .run: "The daemon: live capture, dispatcher, periodic reconcile, metrics."
        case .report: "Export the latest divergence as CSV, JSON or HTML."
        case .status: "Per BU: backfill progress, outbox depth, last reconcile, divergence."
        case .emulator: "Run the local SMS Voice v2 opt-out emulator (demo and tests)."
        }
    }

    var discussion: String {
        switch self {
        case .migrate:
            "Applies the migrations in sql/ to the state database named by state_database, in the schema\nstate_database.schema. Running it again changes nothing. Prints the schema version before and after."
        case .check:
            "Loads and validates the configuration, then checks each dependency and prints a table of\nbusiness unit x check with OK or FAIL and the reason: per BU the configuration, the legacy\ntable and columns (with a sample of values normalised and the invalid share), the AWS\ncredentials (role assumed when role_arn is set) and the opt-out list (DescribeOptOutLists);\nthen the state database (schema version, privileges). Exit code: that of the first FAIL."
        case .provision:
            "Creates each BU's opt-out list when it is missing (tagged optout-sync:bu=NAME) and associates\nit with the BU's pools (UpdatePool OptOutListName). --dry-run prints the plan and changes nothing."
        case .capture:
            "install: create the capture table and trigger for each BU's legacy table.\nuninstall: remove them. status: show what is installed."
        case .backfill:
            "Snapshots each legacy table, normalises the numbers, skips what AWS already has and puts the\nrest under the rate limits. Resumes after any interruption; --restart discards the checkpoint.\nA progress bar on a TTY, a log line every 10 s otherwise, and a summary table at the end."
        case .reconcile:
            "Compares legacy, AWS and the last agreed state for each BU and queues the repairs.\nWithout --full only end-user opt-outs and recent changes are scanned."
        case .run:
            "Runs until SIGTERM/SIGINT (drain, checkpoint, exit 0 within sync.shutdown_grace_seconds).\nSIGHUP reloads the configuration. Speaks the systemd notify protocol when NOTIFY_SOCKET is set."
        case .report:
            "Writes the latest divergence report (one row per divergent number). Files are written\natomically with mode 0600."
        case .status:
            "Shows, per BU, backfill progress, outbox depth by lane, the last reconcile, divergence counts,\nthe quarantine count and the age of the oldest pending item."
        case .emulator:
            "Serves the SMS Voice v2 opt-out API on 127.0.0.1 and prints 'listening on http://127.0.0.1:PORT'\nas its first line. Account 123456789012; a 'Default' opt-out list exists at start. Without\n--credentials it accepts AKIDEXAMPLE / wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY."
        }
    }

    var options: [OptionSpec] {
        switch self {
        case .migrate, .run, .capture: []
        case .check:
            [OptionSpec(name: "--no-aws", help: "leave out the AWS checks (credentials, opt-out lists): offline validation")]
        case .provision:
            [OptionSpec(name: "--dry-run", help: "print the plan, change nothing")]
        case .backfill:
            [OptionSpec(name: "--dry-run", help: "count what would be put, change nothing"),
             OptionSpec(name: "--restart", help: "discard the checkpoint and start over"),
             OptionSpec(name: "--rate", valueName: "N", help: "PutOptedOutNumber requests per second (default: aws.rate_limits)")]
        case .reconcile:
            [OptionSpec(name: "--full", help: "scan the whole AWS list"),
             OptionSpec(name: "--dry-run", help: "print the plan, change nothing"),
             OptionSpec(name: "--check", help: "exit 2 when divergence remains")]
        case .report:
            [OptionSpec(name: "--format", valueName: "csv|json|html", help: "output format (default: csv)"),
             OptionSpec(name: "--output", valueName: "PATH", help: "write to a file instead of standard output"),
             OptionSpec(name: "--mask", help: "mask phone numbers")]
        case .status:
            [OptionSpec(name: "--json", help: "print JSON instead of a table")]
        case .emulator:
            [OptionSpec(name: "--port", valueName: "N", help: "TCP port; 0 picks a free one (default: 4580)"),
             OptionSpec(name: "--region", valueName: "R", help: "AWS region served (default: us-east-1)"),
             OptionSpec(name: "--credentials", valueName: "AKID:SECRET[:TOKEN]", help: "accepted credentials; repeatable (default: the SigV4 test-suite pair)", repeatable: true),
             OptionSpec(name: "--quota", valueName: "OP=RATE", help: "requests per second for an operation; repeatable", repeatable: true),
             OptionSpec(name: "--latency-ms", valueName: "N", help: "added latency per request (default: 0)"),
             OptionSpec(name: "--fault-rate", valueName: "P", help: "probability 0..1 of a transient failure (default: 0)"),
             OptionSpec(name: "--seed", valueName: "S", help: "seed of latency and fault randomness (default: 0)"),
             OptionSpec(name: "--state", valueName: "FILE", help: "load the state from FILE and save it there")]
        }
    }

    /// Positional arguments in the usage line.
    var positionalSynopsis: String? {
        self == .capture ? CaptureAction.allCases.map(\.rawValue).joined(separator: "|") : nil
    }

    var example: String {
        switch self {
        case .migrate: "optout-sync migrate --config /etc/optout-sync/config.json"
        case .check: "optout-sync check --bu cards"
        case .provision: "optout-sync provision --dry-run"
        case .capture: "optout-sync capture install --bu cards"
        case .backfill: "optout-sync backfill --bu cards --rate 5"
        case .reconcile: "optout-sync reconcile --full --check"
        case .run: "optout-sync run --log-format json"
        case .report: "optout-sync report --format html --output /var/tmp/divergence.html --mask"
        case .status: "optout-sync status --json"
        case .emulator: "optout-sync emulator --port 4580 --quota PutOptedOutNumber=10 --latency-ms 50"
        }
    }

    static let globalOptions: [OptionSpec] = [
        OptionSpec(name: "--config", valueName: "PATH", help: "configuration file (default: $OPTOUT_SYNC_CONFIG, else \(GlobalOptions.defaultConfigPath))"),
        OptionSpec(name: "--log-format", valueName: "text|json", help: "log lines on standard error (default: text on a TTY, json otherwise)"),
        OptionSpec(name: "--log-level", valueName: "LEVEL", help: "trace, debug, info, notice, warning, error (default: info)"),
        OptionSpec(name: "--bu", valueName: "NAME", help: "limit to one business unit; repeatable (default: all)", repeatable: true),
        OptionSpec(name: "--help", help: "show help (also -h)"),
        OptionSpec(name: "--version", help: "print the version"),
    ]
}
