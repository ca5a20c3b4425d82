import Foundation
import Postgres
import Testing
import TestSupport

/// `optout-sync backfill` as a process against real PostgreSQL and the emulator over HTTP, over
/// every legacy table shape of spec/config.md. Expected sets are built from canonical numbers.
@Suite struct BackfillShapesTests {
    /// Four BUs: a state table with a predicate (serial key), a quoted mixed-case table without a
    /// primary key and with a region column, an event log, and a BU whose table is in another
    /// database (legacy.conninfo).
    @Test func eachBusinessUnitGetsExactlyItsNumbers() async throws {
        let cardsNumbers = Numbers.us(240)
        let resubscribed = Numbers.us(30, offset: 500)   // opted out, then back in: the predicate drops them
        let neverUnsubscribed = Numbers.us(20, offset: 600)
        let gbNumbers = Numbers.gb(150)
        let ieNumbers = Numbers.ie(40)
        let deNumbers = Numbers.de(160)
        let remoteNumbers = Numbers.us(90, offset: 700)
        var expectedQuarantine: Set<Quarantined> = []
        var travelCtids: [String: String] = [:]

        try await PostgresFixture.withDatabase(name: "remote_legacy") { remoteDB in
        try await Scenario.run(setUp: { db in
            // cards: state table, predicate, serial primary key; every number in one of six spellings.
            try await db.executeScript("""
                CREATE SCHEMA cards;
                CREATE TABLE cards.sms_unsubscribes (
                    id serial PRIMARY KEY, mobile text, unsubscribed_at timestamptz, resubscribed_at timestamptz);
                """)
            var cardRows: [[String?]] = []
            for (i, n) in cardsNumbers.enumerated() { cardRows.append([Numbers.usSpellings(n)[i % 6], "2026-01-01", nil]) }
            for n in resubscribed { cardRows.append([Numbers.usSpellings(n)[0], "2026-01-01", "2026-02-01"]) }
            for n in neverUnsubscribed { cardRows.append([Numbers.usSpellings(n)[1], nil, nil]) }
            let cardInvalid: [(String, String)] = [("N/A", "not_a_number"), ("555-0100", "local_only"), ("12345", "too_short"),
                                                    ("call me", "not_a_number"), ("", "empty")]
            for (raw, _) in cardInvalid { cardRows.append([raw, "2026-01-01", nil]) }
            cardRows.append([nil, "2026-01-01", nil])   // NULL: quarantined as empty
            try await LegacyTables.insert(db, into: "cards.sms_unsubscribes",
                                          columns: [("mobile", "text"), ("unsubscribed_at", "timestamptz"), ("resubscribed_at", "timestamptz")],
                                          rows: cardRows)
            let firstInvalidID = cardsNumbers.count + resubscribed.count + neverUnsubscribed.count + 1
            for (k, (raw, reason)) in cardInvalid.enumerated() {
                expectedQuarantine.insert(Quarantined(bu: "cards", locator: String(firstInvalidID + k), raw: raw, reason: reason))
            }
            expectedQuarantine.insert(Quarantined(bu: "cards", locator: String(firstInvalidID + cardInvalid.count), raw: "", reason: "empty"))

            // travel-uk: "Marketing"."StopList", no primary key, region column as ISO code, padded lower
            // case, calling code with and without +, or NULL (the BU default GB); IE numbers by region.
            try await db.executeScript("""
                CREATE SCHEMA "Marketing";
                CREATE TABLE "Marketing"."StopList" ("PhoneNumber" text, "CountryCode" text, "AddedOn" timestamptz DEFAULT now());
                """)
            let gbRegions: [String?] = ["GB", " gb ", "44", "+44", nil]
            var travelRows: [[String?]] = gbNumbers.enumerated().map { i, n in [Numbers.gbNational(n), gbRegions[i % 5]] }
            travelRows += ieNumbers.enumerated().map { i, n in [Numbers.ieNational(n), i % 2 == 0 ? "IE" : "353"] }
            travelRows += gbNumbers.prefix(10).map { [Numbers.gbNational($0), "GB"] }   // duplicate rows
            // An international spelling needs no region (even an unknown one); a national one does.
            travelRows += [["+44 " + gbNumbers[20].dropFirst(3), "UK"], ["unknown", nil], ["0800", "GB"], ["07400 999999", "ZZ"]]
            try await LegacyTables.insert(db, into: "\"Marketing\".\"StopList\"",
                                          columns: [("PhoneNumber", "text"), ("CountryCode", "text")], rows: travelRows)
            for row in try await db.query("SELECT ctid::text, \"PhoneNumber\" FROM \"Marketing\".\"StopList\" WHERE \"PhoneNumber\" IN ('unknown', '0800', '07400 999999')") {
                travelCtids[try row.decode(String.self, at: 1)] = try row.decode(String.self, at: 0)
            }
            expectedQuarantine.insert(Quarantined(bu: "travel-uk", locator: travelCtids["unknown"] ?? "?", raw: "unknown", reason: "not_a_number"))
            expectedQuarantine.insert(Quarantined(bu: "travel-uk", locator: travelCtids["0800"] ?? "?", raw: "0800", reason: "local_only"))
            expectedQuarantine.insert(Quarantined(bu: "travel-uk", locator: travelCtids["07400 999999"] ?? "?", raw: "07400 999999", reason: "unknown_region"))

            // shop-de: an event log; the latest event per normalised number decides, whatever the spelling.
            try await db.executeScript("""
                CREATE SCHEMA retail;
                CREATE TABLE retail.optout_events (event_id bigserial PRIMARY KEY, msisdn text NOT NULL,
                                                   status text NOT NULL, created timestamptz NOT NULL);
                """)
            var events: [[String?]] = []
            for (i, n) in deNumbers.enumerated() {
                let s = Numbers.deSpellings(n)
                switch i % 4 {
                case 0: events += [[s[0], "OPTED_OUT", "2026-01-01"], [s[1], "OPTED_IN", "2026-01-02"]]
                case 1: events += [[s[2], "OPTED_IN", "2026-01-01"], [s[3], "OPTED_OUT", "2026-01-02"]]
                case 2: events += [[s[1], "OPTED_OUT", "2026-01-01"], [s[2], "OPTED_OUT", "2026-01-03"]]
                default: events += [[s[i % 4], "OPTED_OUT", "2026-01-05"]]
                }
            }
            events += [["keine Angabe", "OPTED_OUT", "2026-01-05"]]
            try await LegacyTables.insert(db, into: "retail.optout_events",
                                          columns: [("msisdn", "text"), ("status", "text"), ("created", "timestamptz")], rows: events)
            expectedQuarantine.insert(Quarantined(bu: "shop-de", locator: String(events.count), raw: "keine Angabe", reason: "not_a_number"))

            // remote: its own database.
            let remote = try await remoteDB.connect()
            let remoteLegacy = try await simpleUSTable(remote, schema: "crm", numbers: remoteNumbers)
            await remote.close()
            var remoteWithConninfo = remoteLegacy
            remoteWithConninfo["conninfo"] = remoteDB.conninfo

            return [
                businessUnit("cards", region: "US", list: "cards-optouts", legacy: [
                    "table": "cards.sms_unsubscribes", "phone_column": "mobile",
                    "opted_out_where": "unsubscribed_at IS NOT NULL AND resubscribed_at IS NULL"]),
                businessUnit("travel-uk", region: "GB", list: "travel-uk-optouts", legacy: [
                    "table": "\"Marketing\".\"StopList\"", "phone_column": "PhoneNumber", "region_column": "CountryCode"]),
                businessUnit("shop-de", region: "DE", list: "shop-de-optouts", legacy: [
                    "table": "retail.optout_events", "phone_column": "msisdn",
                    "event_log": ["time_column": "created", "status_column": "status",
                                  "opted_out_values": ["OPTED_OUT"], "opted_in_values": ["OPTED_IN"]] as [String: Any]]),
                businessUnit("remote", region: "US", list: "remote-optouts", legacy: remoteWithConninfo),
            ]
        }) { s in
            try await s.expectSuccess(["provision"])
            let expected: [String: Set<String>] = [
                "cards-optouts": Set(cardsNumbers),
                "travel-uk-optouts": Set(gbNumbers + ieNumbers),
                "shop-de-optouts": Set(deNumbers.enumerated().filter { $0.offset % 4 != 0 }.map(\.element)),
                "remote-optouts": Set(remoteNumbers),
            ]
            let total = expected.values.map(\.count).reduce(0, +)

            let first = try await s.run(["backfill"])
            #expect(first.exitCode == 2, "quarantined rows make the run partial: \(first)")
            for (list, numbers) in expected {
                let listed = try await s.listed(list)
                #expect(listed == numbers, "\(list): missing \(numbers.subtracting(listed).sorted().prefix(5)), unexpected \(listed.subtracting(numbers).sorted().prefix(5))")
            }
            let stats = try await s.emulator.stats()
            #expect(stats.requests("PutOptedOutNumber") == total)
            #expect(stats.duplicatePuts == 0)
            #expect(stats.validationErrors == 0)

            let quarantine = try await StateTables.quarantine(s.connection)
            #expect(quarantine == expectedQuarantine,
                    "missing \(expectedQuarantine.subtracting(quarantine)), unexpected \(quarantine.subtracting(expectedQuarantine))")
            for (bu, list) in [("cards", "cards-optouts"), ("travel-uk", "travel-uk-optouts"), ("shop-de", "shop-de-optouts"), ("remote", "remote-optouts")] {
                #expect(try await StateTables.numbers(s.connection, "sync_state", bu: bu, where: "state = 'in_sync'") == expected[list]!, "\(bu) sync_state")
            }
            #expect(try await StateTables.count(s.connection, "outbox") == 0)
            #expect(try await StateTables.count(s.connection, "backfill_run", where: "phase = 'done' AND finished_at IS NOT NULL") == 4)

            // The summary names every BU.
            for bu in ["cards", "travel-uk", "shop-de", "remote"] { #expect(first.stdout.contains(bu)) }

            // A second run sends only what changed: one quarantined row fixed to a new number, one
            // removed; both leave the quarantine, the new number is the only put.
            let fixed = Numbers.us(1, offset: 900)[0]
            _ = try await s.connection.execute("UPDATE cards.sms_unsubscribes SET mobile = \(Numbers.usSpellings(fixed)[0]) WHERE mobile = 'N/A'")
            _ = try await s.connection.execute("DELETE FROM cards.sms_unsubscribes WHERE mobile = 'call me'")
            expectedQuarantine = expectedQuarantine.filter { !($0.bu == "cards" && ["N/A", "call me"].contains($0.raw)) }
            let again = try await s.run(["backfill"])
            #expect(again.exitCode == 2, "\(again)")
            #expect(try await s.puts() == total + 1, "a completed backfill sends only the new number")
            #expect(try await s.listed("cards-optouts") == expected["cards-optouts"]!.union([fixed]))
            #expect(try await s.emulator.stats().duplicatePuts == 0)
            #expect(try await StateTables.quarantine(s.connection) == expectedQuarantine)

            let status = try await s.run(["status", "--json"])
            #expect(status.exitCode == 0, "\(status)")
            let units = try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [[String: Any]] ?? []
            #expect(units.count == 4)
            let quarantined = Dictionary(uniqueKeysWithValues: units.map { ($0["businessUnit"] as? String ?? "?", $0["quarantined"] as? Int ?? -1) })
            #expect(quarantined == ["cards": 4, "travel-uk": 3, "shop-de": 1, "remote": 0])
        }
        }
    }

    /// One number written five ways is one put; numbers are compared in E.164.
    @Test func fiveSpellingsAreSentOnce() async throws {
        let target = Numbers.us(1, offset: 42)[0]
        let others = Numbers.us(3, offset: 43)
        try await Scenario.run(setUp: { db in
            try await db.executeScript("CREATE SCHEMA shop; CREATE TABLE shop.stops (id int PRIMARY KEY, phone text)")
            let spellings = Array(Numbers.usSpellings(target).prefix(5))
            let rows: [[String?]] = (spellings + others.map { Numbers.usSpellings($0)[2] }).enumerated().map { [String($0.offset + 1), $0.element] }
            try await LegacyTables.insert(db, into: "shop.stops", columns: [("id", "int"), ("phone", "text")], rows: rows)
            return [businessUnit("shop", region: "US", list: "shop-list", legacy: ["table": "shop.stops", "phone_column": "phone"])]
        }) { s in
            try await s.expectSuccess(["provision"])
            let result = try await s.expectSuccess(["backfill"])
            #expect(try await s.listed("shop-list") == Set([target] + others))
            let stats = try await s.emulator.stats()
            #expect(stats.requests("PutOptedOutNumber") == 4)
            #expect(stats.duplicatePuts == 0)
            #expect(try await StateTables.numbers(s.connection, "legacy_snapshot", bu: "shop") == Set([target] + others))
            #expect(try await StateTables.count(s.connection, "quarantine") == 0)
            // The summary reports the four extra spellings as duplicates.
            #expect(result.stdout.contains("4"), "\(result.stdout)")
        }
    }
}
