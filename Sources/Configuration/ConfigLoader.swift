import Foundation
import JSON
import PhoneNumbers

/// Reads, validates and completes the configuration file (spec/config.md).
///
/// The process environment is a parameter (`$AWS_REGION`, `$AWS_PROFILE`, `$CREDENTIALS_DIRECTORY`
/// are the variables it reads); nothing below reads `getenv`.
public enum ConfigLoader {
    /// Whether a region code is one libphonenumber knows (`Normalizer.isSupportedRegion` by default;
    /// tests may pass another). The alpha-2 shape is checked before it is called.
    public typealias RegionValidator = @Sendable (String) -> Bool

    /// Loads the file at `path`. Errors name the key path and carry `file`.
    public static func load(path: String, environment: [String: String],
                            regionValidator: RegionValidator = Normalizer.isSupportedRegion) throws(ConfigError) -> Config {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw ConfigError(keyPath: "", expected: "a readable JSON configuration file", found: describeFileError(error), file: path)
        }
        do {
            return try parse(data: data, environment: environment, regionValidator: regionValidator)
        } catch {
            var located = error
            located.file = path
            throw located
        }
    }

    /// Parses configuration JSON. `password_file` is read here (see `SecretFiles`).
    public static func parse(data: Data, environment: [String: String],
                             regionValidator: RegionValidator = Normalizer.isSupportedRegion) throws(ConfigError) -> Config {
        let root: JSONValue
        do {
            root = try JSONDecoder().decode(JSONValue.self, from: data)
        } catch {
            throw ConfigError(keyPath: "", expected: "a JSON document", found: "invalid JSON (\(describeJSONError(error)))")
        }
        let top = try ObjectReader(root, path: "", keys: ["state_database", "aws", "sync", "metrics", "business_units"])
        let stateDatabase = try readStateDatabase(top.object("state_database", keys: ["conninfo", "password_file", "schema"]), environment: environment)
        let aws = try readAWS(top.object("aws", keys: ["region", "endpoint_url", "profile", "max_attempts", "max_in_flight", "rate_limits", "adaptive"]), environment: environment)
        let sync = try readSync(top.object("sync", keys: ["reconcile_interval_seconds", "full_reconcile_interval_seconds", "poll_interval_seconds",
                                                          "write_back", "unverified_numbers", "opt_in_policy", "shutdown_grace_seconds"]))
        let metrics = try readMetrics(top.object("metrics", keys: ["listen"]))

        let unitsValue = try top.required("business_units", expected: "a list of business units")
        guard case .array(let units) = unitsValue else {
            throw ConfigError(keyPath: "business_units", expected: "a list of business units", found: unitsValue.kind)
        }
        guard !units.isEmpty else {
            throw ConfigError(keyPath: "business_units", expected: "at least one business unit", found: "an empty list")
        }
        var businessUnits: [BusinessUnitConfig] = []
        for (index, unit) in units.enumerated() {
            let path = "business_units[\(index)]"
            let bu = try readBusinessUnit(unit, path: path, aws: aws, sync: sync, regionValidator: regionValidator)
            if let first = businessUnits.firstIndex(where: { $0.name == bu.name }) {
                throw ConfigError(keyPath: path + ".name", expected: "a name not used by another business unit",
                                  found: "\(ObjectReader.quote(bu.name)), already the name of business_units[\(first)]")
            }
            businessUnits.append(bu)
        }
        return Config(stateDatabase: stateDatabase, aws: aws, sync: sync, metrics: metrics, businessUnits: businessUnits)
    }

    // MARK: - Sections

    private static func readStateDatabase(_ reader: ObjectReader, environment: [String: String]) throws(ConfigError) -> StateDatabaseConfig {
        var config = StateDatabaseConfig()
        config.conninfo = try reader.string("conninfo", expected: "a libpq connection string or URI") ?? ""
        if let schema = try reader.string("schema", expected: "a schema name") {
            guard Shapes.isIdentifier(schema) else {
                throw ConfigError(keyPath: reader.keyPath("schema"), expected: "a schema name of 1 to 63 bytes", found: ObjectReader.quote(schema))
            }
            config.schema = schema
        }
        if let file = try reader.string("password_file", expected: SecretFiles.expectedForm) {
            let path = try SecretFiles.resolve(file, keyPath: reader.keyPath("password_file"), environment: environment)
            config.passwordFile = path
            config.password = try SecretFiles.readFirstLine(path, keyPath: reader.keyPath("password_file"))
        }
        return config
    }

    private static func readAWS(_ reader: ObjectReader, environment: [String: String]) throws(ConfigError) -> AWSConfig {
        var config = AWSConfig()
        if let region = try reader.string("region", expected: "an AWS region such as \"us-east-1\"") {
            guard Shapes.isAWSRegion(region) else {
                throw ConfigError(keyPath: reader.keyPath("region"), expected: "an AWS region such as \"us-east-1\"", found: ObjectReader.quote(region))
            }
            config.region = region
        } else if let region = environment["AWS_REGION"], !region.isEmpty {
            guard Shapes.isAWSRegion(region) else {
                throw ConfigError(keyPath: reader.keyPath("region"), expected: "an AWS region such as \"us-east-1\" (taken from $AWS_REGION)", found: ObjectReader.quote(region))
            }
            config.region = region
        }
        let urlForm = "an http or https URL such as \"http://127.0.0.1:4580\""
        if let text = try reader.string("endpoint_url", expected: urlForm) {
            guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
                  let host = url.host, !host.isEmpty else {
                throw ConfigError(keyPath: reader.keyPath("endpoint_url"), expected: urlForm, found: ObjectReader.quote(text))
            }
            config.endpointURL = url
        }
        if let profile = try reader.string("profile", expected: "a profile name"), !profile.isEmpty {
            config.profile = profile
        } else if let profile = environment["AWS_PROFILE"], !profile.isEmpty {
            config.profile = profile
        }
        config.maxAttempts = try reader.positiveInteger("max_attempts") ?? config.maxAttempts
        config.maxInFlight = try reader.positiveInteger("max_in_flight") ?? config.maxInFlight
        let operations = AWSConfig.defaultRateLimits.keys.sorted()
        let limits = try reader.object("rate_limits", keys: operations)
        for operation in operations {
            if let rate = try limits.positiveNumber(operation) { config.rateLimits[operation] = rate }
        }
        config.adaptive = try reader.bool("adaptive", default: config.adaptive)
        return config
    }

    private static func readSync(_ reader: ObjectReader) throws(ConfigError) -> SyncConfig {
        var config = SyncConfig()
        func seconds(_ key: String, _ fallback: Duration) throws(ConfigError) -> Duration {
            guard let value = try reader.positiveNumber(key) else { return fallback }
            return .milliseconds(Int64((value * 1000).rounded()))
        }
        config.reconcileInterval = try seconds("reconcile_interval_seconds", config.reconcileInterval)
        config.fullReconcileInterval = try seconds("full_reconcile_interval_seconds", config.fullReconcileInterval)
        config.pollInterval = try seconds("poll_interval_seconds", config.pollInterval)
        config.shutdownGrace = try seconds("shutdown_grace_seconds", config.shutdownGrace)
        config.writeBack = try reader.bool("write_back", default: config.writeBack)
        config.unverifiedNumbers = try reader.choice("unverified_numbers", as: UnverifiedNumbersPolicy.self) ?? config.unverifiedNumbers
        config.optInPolicy = try reader.choice("opt_in_policy", as: OptInPolicy.self) ?? config.optInPolicy
        return config
    }

    private static func readMetrics(_ reader: ObjectReader) throws(ConfigError) -> MetricsConfig {
        let form = "host:port such as \"127.0.0.1:9464\", or null to disable"
        if reader.isNull("listen") { return MetricsConfig(listen: nil) }
        guard let text = try reader.string("listen", expected: form) else { return MetricsConfig() }
        guard let address = Shapes.listenAddress(text) else {
            throw ConfigError(keyPath: reader.keyPath("listen"), expected: form, found: ObjectReader.quote(text))
        }
        return MetricsConfig(listen: address)
    }

    // MARK: - Business units

    private static func readBusinessUnit(_ value: JSONValue, path: String, aws: AWSConfig, sync: SyncConfig,
                                         regionValidator: RegionValidator) throws(ConfigError) -> BusinessUnitConfig {
        let reader = try ObjectReader(value, path: path, keys: ["name", "default_region", "opt_out_list", "region", "pools",
                                                                "role_arn", "external_id", "legacy"])
        let nameForm = "a business unit name of [a-z0-9_-] (1 to 64 characters), e.g. \"cards\""
        let name = try reader.requiredString("name", expected: nameForm)
        guard Shapes.isBusinessUnitName(name) else {
            throw ConfigError(keyPath: reader.keyPath("name"), expected: nameForm, found: ObjectReader.quote(name))
        }

        let regionForm = "an ISO 3166 alpha-2 region that libphonenumber knows, in upper case, e.g. \"US\" or \"GB\""
        let defaultRegion = try reader.requiredString("default_region", expected: regionForm)
        guard Shapes.isAlpha2Shape(defaultRegion), regionValidator(defaultRegion) else {
            throw ConfigError(keyPath: reader.keyPath("default_region"), expected: regionForm, found: ObjectReader.quote(defaultRegion))
        }

        let listForm = "an opt-out list name of [A-Za-z0-9_-] (1 to 64 characters) or an ARN arn:aws:sms-voice:REGION:ACCOUNT:opt-out-list/ID"
        let listText = try reader.requiredString("opt_out_list", expected: listForm)
        let optOutList: OptOutListReference
        if let arn = Shapes.optOutListARN(listText) {
            optOutList = .arn(arn)
        } else if Shapes.isOptOutListName(listText) {
            optOutList = .name(listText)
        } else {
            throw ConfigError(keyPath: reader.keyPath("opt_out_list"), expected: listForm, found: ObjectReader.quote(listText))
        }

        let awsRegionForm = "an AWS region such as \"eu-west-2\", or null for aws.region"
        var awsRegion: String
        if let region = try reader.string("region", expected: awsRegionForm) {
            guard Shapes.isAWSRegion(region) else {
                throw ConfigError(keyPath: reader.keyPath("region"), expected: awsRegionForm, found: ObjectReader.quote(region))
            }
            if case .arn(let arn) = optOutList, arn.region != region {
                throw ConfigError(keyPath: reader.keyPath("region"), expected: "the region of opt_out_list's ARN (\"\(arn.region)\") or null",
                                  found: ObjectReader.quote(region))
            }
            awsRegion = region
        } else if case .arn(let arn) = optOutList {
            awsRegion = arn.region
        } else if let region = aws.region {
            awsRegion = region
        } else {
            throw ConfigError(keyPath: reader.keyPath("region"), expected: "an AWS region (neither aws.region nor $AWS_REGION is set)",
                              found: "nothing")
        }

        let poolForm = "a pool id (\"pool-…\") or pool ARN"
        let pools = try reader.strings("pools", expected: poolForm) ?? []
        for (index, pool) in pools.enumerated() where !Shapes.isPool(pool) {
            throw ConfigError(keyPath: reader.keyPath("pools") + "[\(index)]", expected: poolForm, found: ObjectReader.quote(pool))
        }

        let roleForm = "an IAM role ARN such as \"arn:aws:iam::111122223333:role/optout-sync\", or null"
        var roleARN: RoleARN?
        if let text = try reader.string("role_arn", expected: roleForm) {
            guard let arn = Shapes.roleARN(text) else {
                throw ConfigError(keyPath: reader.keyPath("role_arn"), expected: roleForm, found: ObjectReader.quote(text))
            }
            roleARN = arn
        }
        let externalForm = "an external id of 2 to 1224 characters [A-Za-z0-9_+=,.@:/-], used only with role_arn"
        let externalID = try reader.string("external_id", expected: externalForm)
        if let externalID {
            guard Shapes.isExternalID(externalID) else {
                throw ConfigError(keyPath: reader.keyPath("external_id"), expected: externalForm, found: "a string of \(externalID.count) characters")
            }
            guard roleARN != nil else {
                throw ConfigError(keyPath: reader.keyPath("external_id"), expected: "null when role_arn is null", found: "an external id")
            }
        }

        let legacy = try readLegacy(reader.required("legacy", expected: "an object describing the legacy table"),
                                    path: reader.keyPath("legacy"), sync: sync)
        return BusinessUnitConfig(name: name, defaultRegion: defaultRegion, optOutList: optOutList, awsRegion: awsRegion,
                                  pools: pools, roleARN: roleARN, externalID: externalID, legacy: legacy)
    }

    private static func readLegacy(_ value: JSONValue, path: String, sync: SyncConfig) throws(ConfigError) -> LegacyTableConfig {
        let reader = try ObjectReader(value, path: path, keys: ["conninfo", "table", "phone_column", "region_column", "opted_out_where",
                                                                "event_log", "changed_at_column", "write_back_sql", "opt_in_sql"])
        let conninfo = try reader.string("conninfo", expected: "a libpq connection string or URI, or null for the state database")

        let tableForm = "schema.table (e.g. \"billing.optouts\" or \"\\\"Marketing\\\".\\\"StopList\\\"\")"
        let tableText = try reader.requiredString("table", expected: tableForm)
        guard let table = Shapes.qualifiedTableName(tableText) else {
            throw ConfigError(keyPath: reader.keyPath("table"), expected: tableForm, found: ObjectReader.quote(tableText))
        }

        let phoneColumn = try column(reader, "phone_column", required: true)!
        let regionColumn = try column(reader, "region_column", required: false)
        let changedAtColumn = try column(reader, "changed_at_column", required: false)

        let optedOutWhere = try sql(reader, "opted_out_where", maxParameter: 0,
                                    form: "an SQL predicate without parameters, e.g. \"NOT deleted\"")
        let writeBackSQL = try sql(reader, "write_back_sql", maxParameter: 3,
                                   form: "parameterised SQL using only $1 (E.164), $2 (opt-out time) and $3 (ISO region)")
        if writeBackSQL == nil, sync.writeBack {
            throw ConfigError(keyPath: reader.keyPath("write_back_sql"),
                              expected: "parameterised SQL that records an opt-out (required while sync.write_back is true)", found: "nothing")
        }
        let optInSQL = try sql(reader, "opt_in_sql", maxParameter: 1, form: "parameterised SQL using only $1 (E.164)")
        if optInSQL == nil, sync.optInPolicy == .awsToLegacy || sync.optInPolicy == .both {
            throw ConfigError(keyPath: reader.keyPath("opt_in_sql"),
                              expected: "parameterised SQL that records an opt-in (required while sync.opt_in_policy is \"\(sync.optInPolicy.rawValue)\")",
                              found: "nothing")
        }

        var eventLog: EventLogConfig?
        if let value = reader.value("event_log") {
            eventLog = try readEventLog(value, path: reader.keyPath("event_log"))
        }
        return LegacyTableConfig(conninfo: conninfo, table: table, phoneColumn: phoneColumn, regionColumn: regionColumn,
                                 optedOutWhere: optedOutWhere, eventLog: eventLog, changedAtColumn: changedAtColumn,
                                 writeBackSQL: writeBackSQL, optInSQL: optInSQL)
    }

    private static func readEventLog(_ value: JSONValue, path: String) throws(ConfigError) -> EventLogConfig {
        let reader = try ObjectReader(value, path: path, keys: ["time_column", "status_column", "opted_out_values", "opted_in_values"])
        let timeColumn = try column(reader, "time_column", required: true)!
        let statusColumn = try column(reader, "status_column", required: true)!
        let valueForm = "a status value (a string)"
        let optedOut = try reader.strings("opted_out_values", expected: valueForm) ?? []
        guard !optedOut.isEmpty else {
            throw ConfigError(keyPath: reader.keyPath("opted_out_values"), expected: "a non-empty list of status values, e.g. [\"OPTED_OUT\"]",
                              found: reader.value("opted_out_values") == nil ? "nothing" : "an empty list")
        }
        let optedIn = try reader.strings("opted_in_values", expected: valueForm) ?? []
        for (index, value) in optedIn.enumerated() where optedOut.contains(value) {
            throw ConfigError(keyPath: reader.keyPath("opted_in_values") + "[\(index)]", expected: "a value not also in opted_out_values",
                              found: ObjectReader.quote(value))
        }
        return EventLogConfig(timeColumn: timeColumn, statusColumn: statusColumn, optedOutValues: optedOut, optedInValues: optedIn)
    }

    private static func column(_ reader: ObjectReader, _ key: String, required: Bool) throws(ConfigError) -> String? {
        let form = "a column name exactly as stored (1 to 63 bytes, case-sensitive)" + (required ? "" : ", or null")
        let text = required ? try reader.requiredString(key, expected: form) : try reader.string(key, expected: form)
        if let text, !Shapes.isIdentifier(text) {
            throw ConfigError(keyPath: reader.keyPath(key), expected: form, found: ObjectReader.quote(text))
        }
        return text
    }

    private static func sql(_ reader: ObjectReader, _ key: String, maxParameter: Int, form: String) throws(ConfigError) -> String? {
        guard let text = try reader.string(key, expected: form) else { return nil }
        guard !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw ConfigError(keyPath: reader.keyPath(key), expected: form, found: "an empty string")
        }
        guard let parameters = Shapes.sqlParameters(text) else {
            throw ConfigError(keyPath: reader.keyPath(key), expected: form, found: "SQL with an unterminated quote or comment")
        }
        if let bad = parameters.sorted().first(where: { $0 < 1 || $0 > maxParameter }) {
            throw ConfigError(keyPath: reader.keyPath(key), expected: form, found: "SQL using $\(bad)")
        }
        return text
    }

    // MARK: - Messages

    static func describeFileError(_ error: any Error) -> String {
        let nsError = error as NSError
        if let underlying = nsError.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain,
           let code = POSIXErrorCode(rawValue: Int32(underlying.code)) {
            return describePOSIX(code)
        }
        switch nsError.code {
        case NSFileReadNoSuchFileError: return "no such file"
        case NSFileReadNoPermissionError: return "a file this user may not read"
        default: return "an unreadable file"
        }
    }

    static func describePOSIX(_ code: POSIXErrorCode) -> String {
        switch code {
        case .ENOENT: "no such file"
        case .EACCES, .EPERM: "a file this user may not read"
        case .EISDIR: "a directory"
        default: "an unreadable file (\(String(cString: strerror(code.rawValue))))"
        }
    }

    private static func describeJSONError(_ error: any Error) -> String {
        if let decoding = error as? DecodingError, case .dataCorrupted(let context) = decoding {
            if let underlying = context.underlyingError as NSError?, let detail = underlying.userInfo[NSDebugDescriptionErrorKey] as? String {
                return detail
            }
            return context.debugDescription
        }
        return "unreadable"
    }
}
