import Logging
import SMSVoiceEmulator

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
    /// `aws` false: `--no-aws`, the AWS rows are left out.
    case check(aws: Bool)
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

/// `emulator`'s options are the emulator module's own `EmulatorOptions` (one home). Equality here
/// compares what argv can set (the clock is not part of a command line).
extension EmulatorOptions: Equatable {
    public static func == (a: EmulatorOptions, b: EmulatorOptions) -> Bool {
        a.host == b.host && a.port == b.port && a.region == b.region && a.account == b.account
            && a.credentials == b.credentials && a.quotas == b.quotas && a.latencyMs == b.latencyMs
            && a.jitterMs == b.jitterMs && a.faultRate == b.faultRate && a.seed == b.seed
            && a.stateFile == b.stateFile && a.maxRequestBytes == b.maxRequestBytes
    }
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
