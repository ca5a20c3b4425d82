import Foundation
import Postgres
import Testing
import TestSupport
@testable import Configuration

@Suite struct ConfigLoaderTests {
    @Test func exampleLoadsWithEveryValue() throws {
        let config = try ConfigLoader.load(path: ConfigFixture.exampleURL.path, environment: [:])
        #expect(config.stateDatabase.conninfo == "host=/run/postgresql dbname=messaging user=optout_sync")
        #expect(config.stateDatabase.password == nil)
        #expect(config.stateDatabase.schema == "optout_sync")
        #expect(config.aws.region == "us-east-1")
        #expect(config.aws.endpointURL == nil)
        #expect(config.aws.profile == "default")
        #expect(config.aws.rateLimits == AWSConfig.defaultRateLimits)
        #expect(config.sync == SyncConfig())
        #expect(config.metrics.listen == ListenAddress(host: "127.0.0.1", port: 9464))
        #expect(config.businessUnits.map(\.name) == ["cards", "travel-uk"])

        let cards = try #require(config.businessUnit(named: "cards"))
        #expect(cards.defaultRegion == "US")
        #expect(cards.optOutList == .name("cards-optouts"))
        #expect(cards.awsRegion == "us-east-1")
        #expect(cards.roleARN == RoleARN(partition: "aws", account: "111122223333", roleName: "optout-sync-cards"))
        #expect(cards.rateLimitKey == RateLimitKey(account: "111122223333", region: "us-east-1"))
        #expect(cards.legacy.table == PostgresQualifiedName(schema: "cards", name: "sms_unsubscribes"))
        #expect(cards.legacy.phoneColumn == "mobile")
        #expect(cards.legacy.changedAtColumn == "updated_at")
        #expect(cards.legacy.optInSQL?.contains("$1") == true)
        #expect(cards.legacy.eventLog == nil)

        let travel = try #require(config.businessUnit(named: "travel-uk"))
        #expect(travel.legacy.table == PostgresQualifiedName(schema: "Marketing", name: "StopList"))
        #expect(travel.legacy.phoneColumn == "PhoneNumber")
        #expect(travel.legacy.regionColumn == "CountryCode")
        #expect(travel.awsRegion == "eu-west-2")
        #expect(travel.rateLimitKey == RateLimitKey(account: "444455556666", region: "eu-west-2"))
        guard case .arn(let arn) = travel.optOutList else { Issue.record("expected an ARN"); return }
        #expect(arn.resourceID == "ol-0123456789abcdef0123456789abcdef")
        #expect(travel.optOutList.description == "arn:aws:sms-voice:eu-west-2:444455556666:opt-out-list/ol-0123456789abcdef0123456789abcdef")
    }

    @Test func minimalFileGetsTheDefaults() throws {
        let json = """
        {"business_units": [{"name": "a", "default_region": "US", "opt_out_list": "a-list",
          "legacy": {"table": "public.optouts", "phone_column": "phone", "write_back_sql": "INSERT INTO public.optouts VALUES ($1)"}}]}
        """
        let config = try ConfigLoader.parse(data: Data(json.utf8), environment: ["AWS_REGION": "eu-west-1", "AWS_PROFILE": "ops"])
        #expect(config.stateDatabase == StateDatabaseConfig(conninfo: "", passwordFile: nil, password: nil, schema: "optout_sync"))
        #expect(config.aws == AWSConfig(region: "eu-west-1", profile: "ops"))
        #expect(config.aws.maxAttempts == 3 && config.aws.maxInFlight == 64 && config.aws.adaptive)
        #expect(config.sync.reconcileInterval == .seconds(300))
        #expect(config.sync.fullReconcileInterval == .seconds(86400))
        #expect(config.sync.pollInterval == .seconds(60))
        #expect(config.sync.shutdownGrace == .seconds(20))
        #expect(config.sync.writeBack && config.sync.unverifiedNumbers == .send && config.sync.optInPolicy == .report)
        #expect(config.metrics.listen == ListenAddress(host: "127.0.0.1", port: 9464))
        let bu = config.businessUnits[0]
        #expect(bu.awsRegion == "eu-west-1")
        #expect(bu.pools == [])
        #expect(bu.rateLimitKey == RateLimitKey(account: "default", region: "eu-west-1"))
        #expect(bu.legacy.conninfo == nil)
    }

    @Test func explicitValuesOverrideDefaults() throws {
        let config = try ConfigFixture.load(
            .set("aws", "rate_limits", to: #"{"PutOptedOutNumber": 250.5}"#),
            .set("aws", "profile", to: #""prod""#),
            .set("sync", "unverified_numbers", to: #""quarantine""#),
            .set("sync", "opt_in_policy", to: #""legacy-to-aws""#),
            .set("sync", "shutdown_grace_seconds", to: "2.5"),
            .set("metrics", "listen", to: "null"),
            .set("aws", "endpoint_url", to: #""http://127.0.0.1:4580""#),
            environment: ["AWS_PROFILE": "ignored"])
        #expect(config.aws.rateLimits["PutOptedOutNumber"] == 250.5)
        #expect(config.aws.rateLimits["DeleteOptedOutNumber"] == 10)
        #expect(config.aws.profile == "prod")
        #expect(config.aws.endpointURL?.port == 4580)
        #expect(config.sync.unverifiedNumbers == .quarantine)
        #expect(config.sync.optInPolicy == .legacyToAWS)
        #expect(config.sync.shutdownGrace == .milliseconds(2500))
        #expect(config.metrics.listen == nil)
    }

    @Test func eventLogIsParsed() throws {
        let config = try ConfigFixture.load(.set("business_units", 1, "legacy", "event_log", to: """
            {"time_column": "created", "status_column": "status", "opted_out_values": ["OPTED_OUT", "STOP"], "opted_in_values": ["OPTED_IN"]}
            """))
        #expect(config.businessUnits[1].legacy.eventLog == EventLogConfig(
            timeColumn: "created", statusColumn: "status", optedOutValues: ["OPTED_OUT", "STOP"], optedInValues: ["OPTED_IN"]))
    }

    @Test func roleAccountDecidesTheRateLimitKeyOfANamedList() throws {
        let config = try ConfigFixture.load(.set("business_units", 1, "opt_out_list", to: #""travel""#),
                                            .set("business_units", 1, "region", to: "null"),
                                            .set("business_units", 1, "role_arn", to: #""arn:aws:iam::999988887777:role/team/sync""#))
        #expect(config.businessUnits[1].rateLimitKey == RateLimitKey(account: "999988887777", region: "us-east-1"))
        #expect(config.businessUnits[1].roleARN?.roleName == "team/sync")
    }

    @Test func theRegionValidatorHookIsConsulted() {
        let error = #expect(throws: ConfigError.self) {
            try ConfigFixture.load(regionValidator: { $0 != "GB" })
        }
        #expect(error?.keyPath == "business_units[1].default_region")
    }

    /// Every kind of bad file names the exact key path.
    @Test(arguments: [
        (ConfigFixture.Edit.set("state_database", "conninfo", to: "5"), "state_database.conninfo", "a number"),
        (.set("state_database", "schema", to: #""""#), "state_database.schema", "\"\""),
        (.set("state_database", "sslmode", to: #""require""#), "state_database.sslmode", "an unknown key"),
        (.set("aws", "regoin", to: #""us-east-1""#), "aws.regoin", "an unknown key"),
        (.set("aws", "region", to: #""US East""#), "aws.region", "\"US East\""),
        (.set("aws", "endpoint_url", to: #""ftp://x""#), "aws.endpoint_url", "\"ftp://x\""),
        (.set("aws", "max_attempts", to: "0"), "aws.max_attempts", "0"),
        (.set("aws", "max_in_flight", to: "2.5"), "aws.max_in_flight", "2.5"),
        (.set("aws", "rate_limits", "PutOptOutNumber", to: "5"), "aws.rate_limits.PutOptOutNumber", "an unknown key"),
        (.set("aws", "rate_limits", "UpdatePool", to: "-1"), "aws.rate_limits.UpdatePool", "-1"),
        (.set("aws", "adaptive", to: "1"), "aws.adaptive", "a number"),
        (.set("sync", "poll_interval_seconds", to: #""60""#), "sync.poll_interval_seconds", "a string"),
        (.set("sync", "reconcile_interval_seconds", to: "0"), "sync.reconcile_interval_seconds", "0"),
        (.set("sync", "write_back", to: #""yes""#), "sync.write_back", "a string"),
        (.set("sync", "unverified_numbers", to: #""drop""#), "sync.unverified_numbers", "\"drop\""),
        (.set("sync", "opt_in_policy", to: #""legacy_to_aws""#), "sync.opt_in_policy", "\"legacy_to_aws\""),
        (.set("metrics", "listen", to: #""9464""#), "metrics.listen", "\"9464\""),
        (.set("metrics", "listen", to: #""127.0.0.1:70000""#), "metrics.listen", "\"127.0.0.1:70000\""),
        (.set("metrics", to: "[]"), "metrics", "a list"),
        (.remove("business_units"), "business_units", "nothing (the key is missing)"),
        (.set("business_units", to: "[]"), "business_units", "an empty list"),
        (.set("business_units", 0, to: #""cards""#), "business_units[0]", "a string"),
        (.remove("business_units", 1, "name"), "business_units[1].name", "nothing (the key is missing)"),
        (.set("business_units", 1, "name", to: #""Travel UK""#), "business_units[1].name", "\"Travel UK\""),
        (.set("business_units", 1, "name", to: #""cards""#), "business_units[1].name", "\"cards\", already the name of business_units[0]"),
        (.set("business_units", 0, "default_region", to: #""us""#), "business_units[0].default_region", "\"us\""),
        (.set("business_units", 0, "default_region", to: #""USA""#), "business_units[0].default_region", "\"USA\""),
        (.set("business_units", 0, "default_region", to: #""XX""#), "business_units[0].default_region", "\"XX\""),
        (.set("business_units", 0, "opt_out_list", to: #""cards optouts""#), "business_units[0].opt_out_list", "\"cards optouts\""),
        (.set("business_units", 0, "opt_out_list", to: #""arn:aws:sms-voice:us-east-1:1234:opt-out-list/x""#),
         "business_units[0].opt_out_list", "\"arn:aws:sms-voice:us-east-1:1234:opt-out-list/x\""),
        (.set("business_units", 1, "region", to: #""us-east-1""#), "business_units[1].region", "\"us-east-1\""),
        (.set("business_units", 0, "region", to: #""mars-1""#), "business_units[0].region", "\"mars-1\""),
        (.set("business_units", 0, "pools", 0, to: #""my pool""#), "business_units[0].pools[0]", "\"my pool\""),
        (.set("business_units", 0, "pools", to: #""pool-1""#), "business_units[0].pools", "a string"),
        (.set("business_units", 0, "role_arn", to: #""arn:aws:iam::1111:role/x""#), "business_units[0].role_arn", "\"arn:aws:iam::1111:role/x\""),
        (.set("business_units", 1, "external_id", to: #""abc123""#), "business_units[1].external_id", "an external id"),
        (.remove("business_units", 0, "legacy"), "business_units[0].legacy", "nothing (the key is missing)"),
        (.set("business_units", 1, "legacy", "table", to: #""billing""#), "business_units[1].legacy.table", "\"billing\""),
        (.set("business_units", 1, "legacy", "table", to: #""\"Marketing.StopList""#), "business_units[1].legacy.table", "\"\\\"Marketing.StopList\""),
        (.set("business_units", 1, "legacy", "table", to: #""a.b.c""#), "business_units[1].legacy.table", "\"a.b.c\""),
        (.set("business_units", 0, "legacy", "phone_column", to: #""""#), "business_units[0].legacy.phone_column", "\"\""),
        (.remove("business_units", 0, "legacy", "phone_column"), "business_units[0].legacy.phone_column", "nothing (the key is missing)"),
        (.set("business_units", 0, "legacy", "region_column", to: "[]"), "business_units[0].legacy.region_column", "a list"),
        (.set("business_units", 0, "legacy", "phone", to: #""mobile""#), "business_units[0].legacy.phone", "an unknown key"),
        (.set("business_units", 0, "legacy", "write_back_sql", to: #""INSERT INTO t VALUES ($1, $4)""#),
         "business_units[0].legacy.write_back_sql", "SQL using $4"),
        (.set("business_units", 0, "legacy", "write_back_sql", to: #""INSERT INTO t VALUES ('$1)""#),
         "business_units[0].legacy.write_back_sql", "SQL with an unterminated quote or comment"),
        (.remove("business_units", 0, "legacy", "write_back_sql"), "business_units[0].legacy.write_back_sql", "nothing"),
        (.set("business_units", 0, "legacy", "opt_in_sql", to: #""UPDATE t SET x = $2 WHERE p = $1""#),
         "business_units[0].legacy.opt_in_sql", "SQL using $2"),
        (.set("business_units", 0, "legacy", "opted_out_where", to: #""phone = $1""#),
         "business_units[0].legacy.opted_out_where", "SQL using $1"),
        (.set("business_units", 1, "legacy", "event_log", to: #"{"time_column": "t", "status_column": "s"}"#),
         "business_units[1].legacy.event_log.opted_out_values", "nothing"),
        (.set("business_units", 1, "legacy", "event_log", to: #"{"time_column": "t", "status_column": "s", "opted_out_values": [1]}"#),
         "business_units[1].legacy.event_log.opted_out_values[0]", "a number"),
        (.set("business_units", 1, "legacy", "event_log", to: #"{"time_column": "t", "status_column": "s", "opted_out_values": ["X"], "opted_in_values": ["X"]}"#),
         "business_units[1].legacy.event_log.opted_in_values[0]", "\"X\""),
        (.set("business_units", 1, "legacy", "event_log", to: #"{"time": "t"}"#), "business_units[1].legacy.event_log.time", "an unknown key"),
    ])
    func badValueNamesItsKeyPath(edit: ConfigFixture.Edit, keyPath: String, found: String) {
        let error = #expect(throws: ConfigError.self, "\(edit)") { try ConfigFixture.load(edit) }
        #expect(error?.keyPath == keyPath, "\(edit)")
        #expect(error?.found == found, "\(edit)")
        #expect(error?.description.hasPrefix(keyPath + ": expected ") == true)
    }

    @Test func tableMessageShowsTheExpectedForm() {
        let error = #expect(throws: ConfigError.self) { try ConfigFixture.load(.set("business_units", 1, "legacy", "table", to: #""billing""#)) }
        #expect(error?.description == #"business_units[1].legacy.table: expected schema.table (e.g. "billing.optouts" or "\"Marketing\".\"StopList\""), found "billing""#)
    }

    @Test func unknownKeySuggestsTheClosestKnownKey() {
        let error = #expect(throws: ConfigError.self) { try ConfigFixture.load(.set("business_units", 0, "legacy", "phone_colum", to: #""x""#)) }
        #expect(error?.expected == "a known key (did you mean \"phone_column\"?)")
    }

    @Test func writeBackSQLIsOptionalWhenWriteBackIsOff() throws {
        let config = try ConfigFixture.load(.set("sync", "write_back", to: "false"), .remove("business_units", 0, "legacy", "write_back_sql"))
        #expect(config.businessUnits[0].legacy.writeBackSQL == nil)
    }

    @Test func optInSQLIsRequiredWhenOptInsFlowToLegacy() {
        let error = #expect(throws: ConfigError.self) { try ConfigFixture.load(.set("sync", "opt_in_policy", to: #""both""#)) }
        #expect(error?.keyPath == "business_units[1].legacy.opt_in_sql")
    }

    @Test func aBusinessUnitWithoutAnyRegionIsAnError() {
        let error = #expect(throws: ConfigError.self) {
            try ConfigFixture.load(.remove("aws", "region"), environment: [:])
        }
        #expect(error?.keyPath == "business_units[0].region")
        #expect(error?.expected.contains("$AWS_REGION") == true)
    }

    @Test func awsRegionFallsBackToTheEnvironment() throws {
        let config = try ConfigFixture.load(.remove("aws", "region"), environment: ["AWS_REGION": "ap-southeast-2"])
        #expect(config.aws.region == "ap-southeast-2")
        #expect(config.businessUnits[0].awsRegion == "ap-southeast-2")
        #expect(config.businessUnits[1].awsRegion == "eu-west-2")
    }

    @Test func invalidJSONAndMissingFilesAreErrors() {
        let syntax = #expect(throws: ConfigError.self) { try ConfigLoader.parse(data: Data("{\"aws\": }".utf8), environment: [:]) }
        #expect(syntax?.keyPath == "")
        #expect(syntax?.found.hasPrefix("invalid JSON") == true)
        let missing = #expect(throws: ConfigError.self) { try ConfigLoader.load(path: "/nonexistent/config.json", environment: [:]) }
        #expect(missing?.file == "/nonexistent/config.json")
        #expect(missing?.description == "/nonexistent/config.json: expected a readable JSON configuration file, found no such file")
    }

    @Test func errorsFromAFileCarryThePath() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("optout-sync-config-\(UUID()).json")
        defer { try? FileManager.default.removeItem(at: url) }
        try ConfigFixture.data(applying: [.set("aws", "max_attempts", to: "\"3\"")]).write(to: url)
        let error = #expect(throws: ConfigError.self) { try ConfigLoader.load(path: url.path, environment: [:]) }
        #expect(error?.file == url.path)
        #expect(error?.keyPath == "aws.max_attempts")
    }
}
