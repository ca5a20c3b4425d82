import Logging

/// The tool's version, printed by `--version` and written into reports.
public let toolVersion = "0.1.0"

/// Options every subcommand accepts (before or after the subcommand name).
public struct GlobalOptions: Sendable, Equatable {
    /// `--config`, else `$OPTOUT_SYNC_CONFIG`, else `/etc/optout-sync/config.json`.
    public var configPath: String
    /// `--log-format`; nil means automatic (text on a TTY, JSON lines otherwise).
    public var logFormat: LogFormat?
    public var logLevel: LogLevel
    /// `--bu` (repeatable); empty means every business unit.
    public var businessUnits: [String]

    public static let defaultConfigPath = "/etc/optout-sync/config.json"

    public init(configPath: String = GlobalOptions.defaultConfigPath, logFormat: LogFormat? = nil,
                logLevel: LogLevel = .info, businessUnits: [String] = []) {
        self.configPath = configPath
        self.logFormat = logFormat
        self.logLevel = logLevel
        self.businessUnits = businessUnits
    }
}

/// A subcommand with its typed options.
public enum Command: Sendable, Equatable {
    case migrate
    case check
    case provision(dryRun: Bool)
    case capture(CaptureAction)
    case backfill(BackfillOptions)
    case reconcile(ReconcileOptions)
    case run
    case report(ReportOptions)
    case status(json: Bool)
    case emulator(EmulatorOptions)

    public var name: Subcommand {
        switch self {
        case .migrate: .migrate
        case .check: .check
        case .provision: .provision
        case .capture: .capture
        case .backfill: .backfill
        case .reconcile: .reconcile
        case .run: .run
        case .report: .report
        case .status: .status
        case .emulator: .emulator
        }
    }
}

public enum CaptureAction: String, Sendable, Equatable, CaseIterable {
    case install, uninstall, status
}

public struct BackfillOptions: Sendable, Equatable {
    public var dryRun = false
    /// Discard the checkpoint and start over.
    public var restart = false
    /// `--rate`: requests per second for PutOptedOutNumber, overriding `aws.rate_limits`.
    public var rate: Double?

    public init(dryRun: Bool = false, restart: Bool = false, rate: Double? = nil) {
        self.dryRun = dryRun
        self.restart = restart
        self.rate = rate
    }
}

public struct ReconcileOptions: Sendable, Equatable {
    public var full = false
    public var dryRun = false
    /// `--check`: exit 2 when divergence remains.
    public var check = false

    public init(full: Bool = false, dryRun: Bool = false, check: Bool = false) {
        self.full = full
        self.dryRun = dryRun
        self.check = check
    }
}

public enum ReportFormat: String, Sendable, Equatable, CaseIterable {
    case csv, json, html
}

public struct ReportOptions: Sendable, Equatable {
    public var format: ReportFormat = .csv
    /// nil writes to standard output.
    public var output: String?
    /// Mask phone numbers (`PhoneMask.mask`).
    public var mask = false

    public init(format: ReportFormat = .csv, output: String? = nil, mask: Bool = false) {
        self.format = format
        self.output = output
        self.mask = mask
    }
}

/// Credentials the emulator accepts (`--credentials AKID:SECRET[:TOKEN]`).
public struct EmulatorCredential: Sendable, Equatable {
    public var accessKeyID: String
    public var secretAccessKey: String
    public var sessionToken: String?

    public init(accessKeyID: String, secretAccessKey: String, sessionToken: String? = nil) {
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
    }

    /// The AWS SigV4 test-suite credentials, accepted when no `--credentials` is given.
    public static let sigV4TestSuite = EmulatorCredential(accessKeyID: "AKIDEXAMPLE",
                                                          secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
}

public struct EmulatorOptions: Sendable, Equatable {
    /// 0 picks a free port (printed on the first line).
    public var port: UInt16 = 4580
    public var region = "us-east-1"
    public var account = "123456789012"
    public var credentials: [EmulatorCredential] = [.sigV4TestSuite]
    /// `--quota OP=RATE`: requests per second per operation.
    public var quotas: [String: Double] = [:]
    public var latency: Duration = .zero
    /// Probability (0...1) that a request fails with a transient error.
    public var faultRate: Double = 0
    /// Seed of the fault and latency randomness; nil picks one.
    public var seed: UInt64?
    /// File to load the emulator's state from and save it to.
    public var stateFile: String?

    public init() {}
}

/// What a command line asks for.
public enum Invocation: Sendable, Equatable {
    case execute(GlobalOptions, Command)
    /// `--help`: the top-level help (nil) or a subcommand's.
    case help(Subcommand?)
    case version
}

/// A command line that cannot be understood: exit 64 with `help` on standard error.
public struct UsageError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    /// The subcommand whose help applies (nil: the top-level help).
    public var subcommand: Subcommand?

    public var description: String { "optout-sync: \(message)" }
    public var help: String { HelpText.render(subcommand) }
}
