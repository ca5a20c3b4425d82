import Foundation
import Postgres
import Testing
import TestSupport

/// What backfill does with numbers already in AWS, a dry run, and BUs it cannot serve.
@Suite struct BackfillOutcomesTests {
    /// Numbers already on the list (end-user STOP replies) are not sent again.
    @Test func numbersAlreadyInAWSAreNotSent() async throws {
        let numbers = Numbers.us(200, offset: 1000)
        let already = Array(numbers.enumerated().filter { $0.offset % 3 == 0 }.map(\.element))
        try await Scenario.run(setUp: { db in
            [businessUnit("cards", region: "US", list: "cards-optouts", legacy: try await simpleUSTable(db, schema: "cards", numbers: numbers))]
        }) { s in
            try await s.expectSuccess(["provision"])
            for n in already { try await s.emulator.simulateStop(number: n, list: "cards-optouts") }
            try await s.expectSuccess(["backfill"])
            let state = try await s.emulator.state()
            #expect(state.numbers(of: "cards-optouts") == Set(numbers))
            let stats = try await s.emulator.stats()
            #expect(stats.requests("PutOptedOutNumber") == numbers.count - already.count)
            #expect(stats.duplicatePuts == 0)
            let endUser = Set(state.lists["cards-optouts"]!.numbers.filter(\.value.endUserOptedOut).keys)
            #expect(endUser == Set(already), "the end users' own opt-outs keep EndUserOptedOut")
            // Everything is in sync, and a second run sends nothing.
            #expect(try await StateTables.numbers(s.connection, "sync_state", bu: "cards", where: "state = 'in_sync'") == Set(numbers))
            try await s.expectSuccess(["backfill"])
            #expect(try await s.puts() == numbers.count - already.count)
        }
    }

    /// `--dry-run` reads everything and prints the plan; nothing is written anywhere.
    @Test func dryRunWritesNothing() async throws {
        let numbers = Numbers.us(120, offset: 2000)
        try await Scenario.run(setUp: { db in
            var legacy = try await simpleUSTable(db, schema: "cards", numbers: numbers)
            try await LegacyTables.insert(db, into: "cards.optouts", columns: [("mobile", "text")], rows: [["N/A"], [Numbers.usSpellings(numbers[0])[3]]])
            legacy["phone_column"] = "mobile"
            return [businessUnit("cards", region: "US", list: "cards-optouts", legacy: legacy)]
        }) { s in
            try await s.expectSuccess(["provision"])
            for n in numbers.prefix(20) { try await s.emulator.simulateStop(number: n, list: "cards-optouts") }
            let dry = try await s.run(["backfill", "--dry-run"])
            // A plan is a success even where it shows rows that would be quarantined: nothing was done.
            #expect(dry.exitCode == 0, "\(dry)")
            #expect(dry.stdout.contains("Dry run: nothing was written"), "\(dry.stdout)")
            let planLine = dry.stdout.split(separator: "\n").first { $0.hasPrefix("cards") }.map(String.init) ?? ""
            let fields = planLine.split(separator: " ").map(String.init)
            // business unit, read, invalid, duplicates, already in AWS, to put, estimated time
            #expect(Array(fields.prefix(6)) == ["cards", "122", "1", "1", "20", "100"], "\(dry.stdout)")
            for table in ["outbox", "legacy_snapshot", "aws_snapshot", "sync_state", "quarantine", "backfill_run"] {
                #expect(try await StateTables.count(s.connection, table) == 0, "\(table) after --dry-run")
            }
            let stats = try await s.emulator.stats()
            #expect(stats.requests("PutOptedOutNumber") == 0)
            #expect(stats.requests("DescribeOptedOutNumbers") >= 1, "the dry run scans the AWS list")
            #expect(try await s.listed("cards-optouts") == Set(numbers.prefix(20)))

            // The real run then does what the plan said.
            let real = try await s.run(["backfill"])
            #expect(real.exitCode == 2, "\(real)")
            #expect(try await s.listed("cards-optouts") == Set(numbers))
            #expect(try await s.puts() == 100)
        }
    }

    /// A BU whose list does not exist stops with a message naming the BU and the fix; the others
    /// complete (exit 2). With the account disabled every BU is denied (exit 77).
    @Test func missingListStopsOnlyThatBusinessUnit() async throws {
        let cards = Numbers.us(80, offset: 3000), shop = Numbers.us(60, offset: 4000)
        try await Scenario.run(setUp: { db in
            [businessUnit("cards", region: "US", list: "cards-optouts", legacy: try await simpleUSTable(db, schema: "cards", numbers: cards)),
             businessUnit("shop", region: "US", list: "shop-optouts", legacy: try await simpleUSTable(db, schema: "shop", numbers: shop))]
        }) { s in
            try await s.expectSuccess(["provision", "--bu", "cards"])
            // The dry run already finds the missing list, and names the fix.
            let dry = try await s.run(["backfill", "--dry-run"])
            #expect(dry.exitCode == 2, "\(dry)")
            #expect(dry.stderr.contains("business unit shop stopped: opt-out list 'shop-optouts' does not exist"), "\(dry.stderr)")
            #expect(try await StateTables.count(s.connection, "backfill_run") == 0)
            #expect(try await s.puts() == 0)

            let result = try await s.run(["backfill"])
            #expect(result.exitCode == 2, "\(result)")
            #expect(try await s.listed("cards-optouts") == Set(cards))
            #expect(try await s.emulator.state().lists["shop-optouts"] == nil)
            let stopLine = result.stderr.split(separator: "\n").first { $0.hasPrefix("optout-sync: business unit shop stopped") }
            #expect(stopLine != nil, "\(result.stderr)")
            #expect(stopLine?.contains("shop-optouts") == true && stopLine?.contains("optout-sync provision") == true, "\(stopLine ?? "")")
            #expect(!result.stderr.contains("business unit cards stopped"))
            #expect(try await StateTables.count(s.connection, "backfill_run", where: "bu = 'shop' AND phase = 'stopped'") == 1)
            let status = try await s.expectSuccess(["status"])
            let shopStatus = status.stdout.split(separator: "\n").first { $0.hasPrefix("shop ") } ?? ""
            #expect(shopStatus.contains("stopped: opt-out list 'shop-optouts' does not exist"), "\(status.stdout)")

            // After provisioning the missing list, the stopped BU completes (--bu: only it runs).
            try await s.expectSuccess(["provision", "--bu", "shop"])
            try await s.expectSuccess(["backfill", "--bu", "shop"])
            #expect(try await StateTables.count(s.connection, "backfill_run", where: "bu = 'cards'") == 1)
            #expect(try await s.listed("shop-optouts") == Set(shop))
            #expect(try await s.puts() == cards.count + shop.count)

            // New opt-outs in both BUs, then the account is disabled: every BU is denied.
            for (schema, n) in [("cards", Numbers.us(1, offset: 3500)[0]), ("shop", Numbers.us(1, offset: 4500)[0])] {
                try await LegacyTables.insert(s.connection, into: "\(schema).optouts", columns: [("mobile", "text")], rows: [[n]])
            }
            try await s.emulator.configure(["accountDisabled": true])
            let denied = try await s.run(["backfill"])
            #expect(denied.exitCode == 77, "\(denied)")
            for bu in ["cards", "shop"] {
                #expect(denied.stderr.contains("business unit \(bu) stopped: access denied"), "\(denied.stderr)")
            }
        }
    }

    /// The emulator answers 25 puts/s while optout-sync is allowed 400/s: throttled requests are
    /// retried (they change nothing), and the list ends exact without a duplicate.
    @Test func throttlingIsRetriedWithoutDuplicates() async throws {
        let numbers = Numbers.us(100, offset: 9000)
        try await Scenario.run(emulatorArguments: ["--quota", "PutOptedOutNumber=25"], putRate: 400, setUp: { db in
            [businessUnit("cards", region: "US", list: "cards-optouts", legacy: try await simpleUSTable(db, schema: "cards", numbers: numbers))]
        }) { s in
            try await s.expectSuccess(["provision"])
            try await s.expectSuccess(["backfill"])
            #expect(try await s.listed("cards-optouts") == Set(numbers))
            let stats = try await s.emulator.stats()
            #expect(stats.throttled > 0, "the quota was hit")
            #expect(stats.requests("PutOptedOutNumber") == numbers.count + stats.throttled, "each throttled put was retried once more")
            #expect(stats.duplicatePuts == 0)
            #expect(try await StateTables.count(s.connection, "sync_state", where: "state = 'in_sync'") == numbers.count)
        }
    }

    /// Server errors and dropped connections (seeded) are retried; a dropped answer may have been
    /// applied, so a re-send is allowed, but the list ends exact and nothing stays queued.
    @Test func transientFaultsConvergeExactly() async throws {
        let numbers = Numbers.us(400, offset: 9500)
        try await Scenario.run(setUp: { db in
            [businessUnit("cards", region: "US", list: "cards-optouts", legacy: try await simpleUSTable(db, schema: "cards", numbers: numbers))]
        }) { s in
            try await s.expectSuccess(["provision"])
            try await s.emulator.configure(["faultRate": 0.03, "faultKinds": ["error", "drop"], "seed": 11])
            try await s.expectSuccess(["backfill"])
            #expect(try await s.listed("cards-optouts") == Set(numbers))
            let stats = try await s.emulator.stats()
            let faults = stats.faultsByKind.values.reduce(0, +)
            #expect(faults > 0, "faults were injected")
            #expect(stats.duplicatePuts <= stats.faultsByKind["drop", default: 0], "only a dropped answer can cause a re-send")
            #expect(try await StateTables.count(s.connection, "sync_state", where: "state = 'in_sync'") == numbers.count)
            #expect(try await StateTables.count(s.connection, "outbox") == 0)
        }
    }

    /// Two BUs, `cards` (healthy) and `broken` whose legacy section `spoil` changes; provisions both,
    /// runs backfill, checks the result with `check`, and that only the healthy BU's list is filled.
    static func withOneBrokenUnit(name: String = #function, spoil: @escaping (inout [String: Any]) -> Void,
                                  _ check: (ToolResult) -> Void) async throws {
        let cards = Numbers.us(40, offset: 9800)
        try await Scenario.run(name: name, setUp: { db in
            var broken = try await simpleUSTable(db, schema: "broken", numbers: Numbers.us(5, offset: 9850))
            spoil(&broken)
            return [businessUnit("cards", region: "US", list: "cards-optouts", legacy: try await simpleUSTable(db, schema: "cards", numbers: cards)),
                    businessUnit("broken", region: "US", list: "broken-optouts", legacy: broken)]
        }) { s in
            try await s.expectSuccess(["provision"])
            check(try await s.run(["backfill"]))
            #expect(try await s.listed("cards-optouts") == Set(cards))
            #expect(try await s.listed("broken-optouts").isEmpty)
        }
    }

    /// A configured column the legacy table does not have is a configuration error (exit 78) whose
    /// message names the key path; the other BU still completes.
    @Test func missingLegacyColumnIsAConfigurationError() async throws {
        try await Self.withOneBrokenUnit(spoil: { $0["phone_column"] = "Mobile" }) { result in
            #expect(result.exitCode == 78, "\(result)")
            #expect(result.stderr.contains("business_units[1].legacy.phone_column"), "\(result.stderr)")
            #expect(result.stderr.contains("column Mobile: no such column"), "\(result.stderr)")
        }
    }

    /// A BU whose legacy database cannot be reached ends the run with 69 and a message naming the
    /// BU; the BU in the reachable database completes.
    @Test func unreachableLegacyDatabaseIsExit69() async throws {
        let conninfo = "host=127.0.0.1 port=\(closedLoopbackPort()) user=postgres dbname=crm connect_timeout=2"
        try await Self.withOneBrokenUnit(spoil: { $0["conninfo"] = conninfo }) { result in
            #expect(result.exitCode == 69, "\(result)")
            #expect(result.stderr.contains("optout-sync: business unit broken: "), "\(result.stderr)")
        }
    }
}
