import Foundation
import PhoneNumbers
import Postgres

/// The whole configuration file (spec/config.md), validated and with defaults applied.
/// Produced only by `ConfigLoader`; every other module reads these values and never the file.
public struct Config: Sendable, Equatable {
    public var stateDatabase: StateDatabaseConfig
    public var aws: AWSConfig
    public var sync: SyncConfig
    public var metrics: MetricsConfig
    public var businessUnits: [BusinessUnitConfig]

    public init(stateDatabase: StateDatabaseConfig, aws: AWSConfig, sync: SyncConfig,
                metrics: MetricsConfig, businessUnits: [BusinessUnitConfig]) {
        self.stateDatabase = stateDatabase
        self.aws = aws
        self.sync = sync
        self.metrics = metrics
        self.businessUnits = businessUnits
    }

    /// The business unit with this name, if configured.
    public func businessUnit(named name: String) -> BusinessUnitConfig? {
        businessUnits.first { $0.name == name }
    }
}

/// A secret read from a file. Its `description` (and `debugDescription`, and `dump`) never shows
/// the value, so a `Config` can be printed or logged without leaking it; use `reveal()` where the
/// secret is handed to a library (libpq's `password` keyword).
public struct Secret: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    private let value: String

    public init(_ value: String) { self.value = value }

    public func reveal() -> String { value }

    public var description: String { "<redacted>" }
    public var debugDescription: String { "<redacted>" }
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
}

/// `state_database`.
public struct StateDatabaseConfig: Sendable, Equatable {
    /// libpq connection string or URI; `""` means libpq's environment variables and defaults.
    public var conninfo: String
    /// The resolved path of `password_file` (absolute, or inside `$CREDENTIALS_DIRECTORY`).
    public var passwordFile: String?
    /// The first line of `password_file`, read at load time.
    public var password: Secret?
    /// Schema of the state tables.
    public var schema: String

    public init(conninfo: String = "", passwordFile: String? = nil, password: Secret? = nil, schema: String = "optout_sync") {
        self.conninfo = conninfo
        self.passwordFile = passwordFile
        self.password = password
        self.schema = schema
    }
}

/// `aws`.
public struct AWSConfig: Sendable, Equatable {
    /// The operations `rate_limits` may name, with AWS's published default quotas (requests/s).
    public static let defaultRateLimits: [String: Double] = [
        "PutOptedOutNumber": 10,
        "DeleteOptedOutNumber": 10,
        "DescribeOptedOutNumbers": 1,
        "DescribeOptOutLists": 1,
        "CreateOptOutList": 1,
        "UpdatePool": 1,
    ]

    /// `aws.region`, else `$AWS_REGION`; nil when neither is set (then every BU names its own region).
    public var region: String?
    /// Endpoint override (e.g. the emulator); nil means `https://sms-voice.REGION.amazonaws.com`.
    public var endpointURL: URL?
    /// Profile of the shared config/credentials files: `aws.profile`, else `$AWS_PROFILE`, else `default`.
    public var profile: String
    public var maxAttempts: Int
    public var maxInFlight: Int
    /// Requests per second per operation, shared per (account, region): every key of `defaultRateLimits`.
    public var rateLimits: [String: Double]
    public var adaptive: Bool

    public init(region: String? = nil, endpointURL: URL? = nil, profile: String = "default", maxAttempts: Int = 3,
                maxInFlight: Int = 64, rateLimits: [String: Double] = AWSConfig.defaultRateLimits, adaptive: Bool = true) {
        self.region = region
        self.endpointURL = endpointURL
        self.profile = profile
        self.maxAttempts = maxAttempts
        self.maxInFlight = maxInFlight
        self.rateLimits = rateLimits
        self.adaptive = adaptive
    }
}

/// `sync.unverified_numbers`.
/// The phone-number module's policy type (one definition for config and normaliser).
public typealias UnverifiedNumbersPolicy = UnverifiedNumberPolicy

/// `sync.opt_in_policy`.
public enum OptInPolicy: String, Sendable, Equatable, CaseIterable {
    case report
    case legacyToAWS = "legacy-to-aws"
    case awsToLegacy = "aws-to-legacy"
    case both
}

/// `sync`.
public struct SyncConfig: Sendable, Equatable {
    public var reconcileInterval: Duration
    public var fullReconcileInterval: Duration
    public var pollInterval: Duration
    public var writeBack: Bool
    public var unverifiedNumbers: UnverifiedNumbersPolicy
    public var optInPolicy: OptInPolicy
    public var shutdownGrace: Duration

    public init(reconcileInterval: Duration = .seconds(300), fullReconcileInterval: Duration = .seconds(86400),
                pollInterval: Duration = .seconds(60), writeBack: Bool = true,
                unverifiedNumbers: UnverifiedNumbersPolicy = .send, optInPolicy: OptInPolicy = .report,
                shutdownGrace: Duration = .seconds(20)) {
        self.reconcileInterval = reconcileInterval
        self.fullReconcileInterval = fullReconcileInterval
        self.pollInterval = pollInterval
        self.writeBack = writeBack
        self.unverifiedNumbers = unverifiedNumbers
        self.optInPolicy = optInPolicy
        self.shutdownGrace = shutdownGrace
    }
}

/// A `host:port` to listen on (`127.0.0.1:9464`, `[::1]:9464`, `0.0.0.0:9464`).
public struct ListenAddress: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: UInt16

    public init(host: String, port: UInt16) {
        self.host = host
        self.port = port
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}

/// `metrics`.
public struct MetricsConfig: Sendable, Equatable {
    /// nil disables the endpoint.
    public var listen: ListenAddress?

    public init(listen: ListenAddress? = ListenAddress(host: "127.0.0.1", port: 9464)) {
        self.listen = listen
    }
}

/// An ARN of an SMS Voice v2 opt-out list: `arn:aws:sms-voice:eu-west-2:444455556666:opt-out-list/ol-…`.
public struct OptOutListARN: Sendable, Equatable, CustomStringConvertible {
    public var partition: String
    public var region: String
    public var account: String
    public var resourceID: String

    public var description: String { "arn:\(partition):sms-voice:\(region):\(account):opt-out-list/\(resourceID)" }
}

/// `business_units[].opt_out_list`: a list name or an ARN.
public enum OptOutListReference: Sendable, Equatable, CustomStringConvertible {
    case name(String)
    case arn(OptOutListARN)

    /// What the API accepts as `OptOutListName` (a name or the ARN).
    public var description: String {
        switch self {
        case .name(let name): name
        case .arn(let arn): arn.description
        }
    }
}

/// An IAM role ARN: `arn:aws:iam::111122223333:role/path/name`.
public struct RoleARN: Sendable, Equatable, CustomStringConvertible {
    public var partition: String
    public var account: String
    public var roleName: String

    public var description: String { "arn:\(partition):iam::\(account):role/\(roleName)" }
}

/// `business_units[].legacy.event_log`.
public struct EventLogConfig: Sendable, Equatable {
    public var timeColumn: String
    public var statusColumn: String
    public var optedOutValues: [String]
    public var optedInValues: [String]
}

/// `business_units[].legacy`. Column names are exact (case-sensitive) column names.
public struct LegacyTableConfig: Sendable, Equatable {
    /// The BU's own legacy database; nil means the state database.
    public var conninfo: String?
    /// `schema.table`, parsed by PostgreSQL's rules (unquoted parts folded to lower case); always
    /// has a schema. Interpolate it into `SQL` as is: it quotes itself.
    public var table: PostgresQualifiedName
    public var phoneColumn: String
    public var regionColumn: String?
    public var optedOutWhere: String?
    public var eventLog: EventLogConfig?
    public var changedAtColumn: String?
    /// `$1` = E.164, `$2` = opt-out time, `$3` = ISO region. Present whenever `sync.write_back` is true.
    public var writeBackSQL: String?
    /// `$1` = E.164. Present whenever `sync.opt_in_policy` writes opt-ins to legacy.
    public var optInSQL: String?
}

/// The key of a shared rate-limit bucket: all BUs of one AWS account and region share it.
public struct RateLimitKey: Sendable, Hashable, CustomStringConvertible {
    /// A 12-digit account id, or `"default"` when the account is whatever the default credentials are.
    public var account: String
    public var region: String

    public init(account: String, region: String) {
        self.account = account
        self.region = region
    }

    public var description: String { "\(account)/\(region)" }
}

/// One `business_units[]` entry.
public struct BusinessUnitConfig: Sendable, Equatable {
    public var name: String
    /// ISO 3166 alpha-2 region for numbers written in national format.
    public var defaultRegion: String
    public var optOutList: OptOutListReference
    /// The effective AWS region of the BU's list: `region`, else the list ARN's region, else `aws.region`.
    public var awsRegion: String
    public var pools: [String]
    public var roleARN: RoleARN?
    public var externalID: String?
    public var legacy: LegacyTableConfig

    /// The AWS account of the list: from the list ARN, else from `role_arn`, else `"default"`.
    public var account: String {
        if case .arn(let arn) = optOutList { return arn.account }
        return roleARN?.account ?? "default"
    }

    /// The shared rate-limit bucket of this BU: (account, region).
    public var rateLimitKey: RateLimitKey { RateLimitKey(account: account, region: awsRegion) }
}

extension Config {
    /// Alias so call sites can say `Config.BusinessUnit`.
    public typealias BusinessUnit = BusinessUnitConfig
}
