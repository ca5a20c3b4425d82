import Configuration
import Foundation
import PhoneNumbers
import Postgres
import SyncStore
import Testing
import TestSupport

/// `LegacySnapshotter` against a real PostgreSQL: legacy tables of every supported shape, the
/// quarantine's lifecycle and the normalisation cache.
@Suite struct LegacySnapshotterTests {
    static let london = "+442079460958"
    static let mobile = "+447911123456"

    @Test func stateTableWithPredicateKeepsOnlyOptedOutRows() async throws {
        try await SnapshotHarness.with { h in
            try await h.conn.execute("CREATE TABLE public.optouts (id int PRIMARY KEY, phone text, unsubscribed boolean NOT NULL DEFAULT true)")
            try await h.insert("public.optouts", [(1, "+44 20 7946 0958"), (2, "07911 123456"), (3, "02079460959")])
            try await h.conn.execute("UPDATE public.optouts SET unsubscribed = false WHERE id = 3")
            let unit = try SnapshotHarness.unit(["table": "public.optouts", "phone_column": "phone", "opted_out_where": "unsubscribed"])
            let counts = try await h.snapshot(unit)
            #expect(counts.rowsRead == 2)
            #expect(counts.numbers == 2 && counts.invalid == 0 && counts.duplicates == 0)
            #expect(try await h.snapshotRows() == [
                .init(e164: Self.london, raw: "+44 20 7946 0958", region: "GB", locator: "1", verified: true),
                .init(e164: Self.mobile, raw: "07911 123456", region: "GB", locator: "2", verified: true),
            ])
            #expect(try await h.quarantine().isEmpty)
            // The staging tables are gone.
            let staging = try await h.conn.query("SELECT count(*)::bigint FROM pg_tables WHERE schemaname = 'optout_sync' AND tablename LIKE 'stage_%'")
            #expect(try staging[0].decode(Int64.self, at: 0) == 0)
        }
    }

    @Test func fiveSpellingsOfOneNumberGiveOneRowAndFourDuplicates() async throws {
        try await SnapshotHarness.with { h in
            try await h.conn.execute("CREATE TABLE public.optouts (id int PRIMARY KEY, phone text)")
            try await h.insert("public.optouts", [(1, "+44 20 7946 0958"), (2, "020 7946 0958"), (3, "02079460958"),
                                                  (4, "0044 20 7946 0958"), (5, "(020) 7946-0958"), (6, "07911 123456")])
            let counts = try await h.snapshot(try SnapshotHarness.unit(["table": "public.optouts", "phone_column": "phone"]))
            #expect(counts.rowsRead == 6)
            #expect(counts.numbers == 2)
            #expect(counts.duplicates == 4)
            let rows = try await h.snapshotRows()
            #expect(rows.map(\.e164) == [Self.london, Self.mobile])
            #expect(rows.first?.raw == "+44 20 7946 0958" && rows.first?.locator == "1", "the first row of a number is kept: \(rows)")
        }
    }

    @Test func eventLogLatestEventPerNormalisedNumberDecides() async throws {
        try await SnapshotHarness.with { h in
            try await h.conn.execute("CREATE TABLE public.events (id int PRIMARY KEY, phone text, status text, at timestamptz)")
            let events: [(Int, String?, String, String)] = [
                // Opted out, then opted in under another spelling: not opted out.
                (1, "+44 20 7946 0958", "STOP", "2026-01-01T10:00:00Z"),
                (2, "020 7946 0958", "START", "2026-01-02T10:00:00Z"),
                // Opted in, then out under another spelling: opted out since the second event.
                (3, "07911 123456", "START", "2026-01-01T10:00:00Z"),
                (4, "+447911123456", "STOP", "2026-01-03T10:00:00Z"),
                // An event with an unknown status after the opt-out changes nothing.
                (5, "02079460959", "STOP", "2026-01-01T10:00:00Z"),
                (6, "+442079460959", "BOUNCED", "2026-01-05T10:00:00Z"),
                // Invalid values: quarantined only where they assert an opt-out.
                (7, "12", "STOP", "2026-01-01T10:00:00Z"),
                (8, "not a number", "START", "2026-01-01T10:00:00Z"),
            ]
            for (id, phone, status, at) in events {
                try await h.conn.execute("INSERT INTO public.events VALUES (\(id), \(phone), \(status), \(at)::timestamptz)")
            }
            let unit = try SnapshotHarness.unit(["table": "public.events", "phone_column": "phone", "event_log": [
                "time_column": "at", "status_column": "status", "opted_out_values": ["STOP"], "opted_in_values": ["START"]]])
            let counts = try await h.snapshot(unit)
            #expect(counts.rowsRead == 8)
            #expect(counts.numbers == 2)
            let rows = try await h.snapshotRows()
            #expect(rows.map(\.e164) == ["+442079460959", Self.mobile])
            #expect(rows.map(\.locator) == ["5", "4"])
            let changed = try await h.conn.query("SELECT changed_at = '2026-01-03T10:00:00Z'::timestamptz FROM optout_sync.legacy_snapshot WHERE e164 = \(Self.mobile)")
            #expect(try changed[0].decode(Bool.self, at: 0))
            #expect(try await h.quarantine() == [.init(locator: "7", raw: "12", reason: "too_short")])

            // The same rows under other status values are another snapshot (the digest covers the
            // configuration that shapes the result, not only the rows): BOUNCED now counts as an opt-in.
            #expect(try await h.snapshot(unit).unchanged)
            let bounced = try SnapshotHarness.unit(["table": "public.events", "phone_column": "phone", "event_log": [
                "time_column": "at", "status_column": "status", "opted_out_values": ["STOP"], "opted_in_values": ["START", "BOUNCED"]]])
            let recounted = try await h.snapshot(bounced)
            #expect(!recounted.unchanged && recounted.numbers == 1)
            #expect(try await h.snapshotRows().map(\.e164) == [Self.mobile])
        }
    }

    @Test func regionColumnFormsAndNullMeanTheDefaultRegion() async throws {
        try await SnapshotHarness.with { h in
            try await h.conn.execute("CREATE TABLE public.optouts (id int PRIMARY KEY, phone text, country text)")
            let rows: [(Int, String, String?)] = [
                (1, "07911 123451", "GB"), (2, "07911 123452", " gb "), (3, "07911 123453", "44"), (4, "07911 123454", "+44"),
                (5, "(201) 555-0123", nil), (6, "(201) 555-0124", "  "),
                (7, "07911 123457", nil),  // a GB national number read with the default region (US): invalid
            ]
            for (id, phone, country) in rows {
                try await h.conn.execute("INSERT INTO public.optouts VALUES (\(id), \(phone), \(country))")
            }
            let unit = try SnapshotHarness.unit(["table": "public.optouts", "phone_column": "phone", "region_column": "country"], defaultRegion: "US")
            let counts = try await h.snapshot(unit)
            #expect(counts.numbers == 6 && counts.invalid == 1)
            let snapshot = try await h.snapshotRows()
            #expect(snapshot.map(\.e164) == ["+12015550123", "+12015550124", "+447911123451", "+447911123452", "+447911123453", "+447911123454"])
            #expect(snapshot.map(\.region) == ["US", "US", "GB", "GB", "44", "+44"])
            let quarantined = try await h.quarantine()
            #expect(quarantined.map(\.locator) == ["7"])
            let region = try await h.conn.query("SELECT region FROM optout_sync.quarantine")
            #expect(try region[0].decode(String.self, at: 0) == "US")
        }
    }

    @Test func quotedMixedCaseTableWithoutPrimaryKeyIsLocatedByCtid() async throws {
        try await SnapshotHarness.with { h in
            try await h.conn.executeScript("""
                CREATE SCHEMA "Marketing";
                CREATE TABLE "Marketing"."Stop List" ("Phone Number" text, "CountryCode" text, "Opted" boolean);
                INSERT INTO "Marketing"."Stop List" VALUES ('+44 20 7946 0958', 'GB', true), ('07911 123456', 'gb', true),
                    ('020 7946 0959', 'GB', false), ('nope', 'GB', true);
                """)
            let unit = try SnapshotHarness.unit(["table": "\"Marketing\".\"Stop List\"", "phone_column": "Phone Number",
                                                 "region_column": "CountryCode", "opted_out_where": "\"Opted\""])
            let counts = try await h.snapshot(unit)
            #expect(counts.rowsRead == 3 && counts.numbers == 2 && counts.invalid == 1)
            let rows = try await h.snapshotRows()
            #expect(rows.map(\.locator) == ["(0,1)", "(0,2)"])
            #expect(try await h.quarantine() == [.init(locator: "(0,4)", raw: "nope", reason: "not_a_number")])
        }
    }

    @Test func compositePrimaryKeyIsTheRowLocator() async throws {
        try await SnapshotHarness.with { h in
            try await h.conn.executeScript("""
                CREATE TABLE public."OptOuts" ("Tenant" text, "Id" int, phone text, PRIMARY KEY ("Id", "Tenant"));
                INSERT INTO public."OptOuts" VALUES ('acme', 7, '+44 20 7946 0958'), ('b "co"', 8, '');
                """)
            let counts = try await h.snapshot(try SnapshotHarness.unit(["table": "public.\"OptOuts\"", "phone_column": "phone"]))
            #expect(counts.numbers == 1 && counts.invalid == 1)
            // Key order, not column order.
            #expect(try await h.snapshotRows().map(\.locator) == ["(7,acme)"])
            #expect(try await h.quarantine() == [.init(locator: "(8,\"b \"\"co\"\"\")", raw: "", reason: "empty")])
        }
    }

    @Test func laterSnapshotFollowsTheTableAndLeavesUnchangedRowsAlone() async throws {
        try await SnapshotHarness.with { h in
            try await h.conn.execute("CREATE TABLE public.optouts (id int PRIMARY KEY, phone text)")
            try await h.insert("public.optouts", [(1, "+44 20 7946 0958"), (2, "07911 123456"), (3, "02079460959")])
            let unit = try SnapshotHarness.unit(["table": "public.optouts", "phone_column": "phone"])
            try await h.snapshot(unit)
            let unchanged = try await h.conn.query("SELECT xmin::text FROM optout_sync.legacy_snapshot WHERE e164 = \(Self.london)")[0].decode(String.self, at: 0)

            try await h.conn.execute("UPDATE public.optouts SET phone = '+447911123456' WHERE id = 2")  // same number, new spelling
            try await h.conn.execute("DELETE FROM public.optouts WHERE id = 3")
            try await h.insert("public.optouts", [(4, "+44 20 7946 0001")])
            let counts = try await h.snapshot(unit)
            #expect(counts.numbers == 3 && counts.duplicates == 0)
            #expect(try await h.snapshotRows() == [
                .init(e164: "+442079460001", raw: "+44 20 7946 0001", region: "GB", locator: "4", verified: true),
                .init(e164: Self.london, raw: "+44 20 7946 0958", region: "GB", locator: "1", verified: true),
                .init(e164: Self.mobile, raw: "+447911123456", region: "GB", locator: "2", verified: true),
            ])
            let again = try await h.conn.query("SELECT xmin::text FROM optout_sync.legacy_snapshot WHERE e164 = \(Self.london)")[0].decode(String.self, at: 0)
            #expect(again == unchanged, "an unchanged row is not rewritten")
        }
    }

    @Test func quarantineKeepsFirstSeenAndLosesRowsFixedOrDeleted() async throws {
        try await SnapshotHarness.with { h in
            try await h.conn.execute("CREATE TABLE public.optouts (id int PRIMARY KEY, phone text)")
            try await h.insert("public.optouts", [(1, "+44 20 7946 0958"), (2, nil), (3, "hello"), (4, "12"), (5, "+44 20 7946 09581234")])
            let unit = try SnapshotHarness.unit(["table": "public.optouts", "phone_column": "phone"])
            let first = try await h.snapshot(unit)
            #expect(first.invalid == 4 && first.numbers == 1)
            #expect(try await h.quarantine() == [
                .init(locator: "2", raw: nil, reason: "empty"), .init(locator: "3", raw: "hello", reason: "not_a_number"),
                .init(locator: "4", raw: "12", reason: "too_short"), .init(locator: "5", raw: "+44 20 7946 09581234", reason: "too_long"),
            ])
            let before = try await h.conn.query("SELECT first_seen_at, last_seen_at FROM optout_sync.quarantine WHERE row_locator = '4'")

            try await h.conn.execute("UPDATE public.optouts SET phone = '07911 123456' WHERE id = 2")
            try await h.conn.execute("DELETE FROM public.optouts WHERE id = 3")
            try await h.conn.execute("UPDATE public.optouts SET phone = '1' WHERE id = 5")
            let second = try await h.snapshot(unit)
            #expect(second.invalid == 2 && second.numbers == 2)
            #expect(try await h.quarantine() == [
                .init(locator: "4", raw: "12", reason: "too_short"), .init(locator: "5", raw: "1", reason: "not_a_number"),
            ])
            let after = try await h.conn.query("""
                SELECT row_locator, first_seen_at = \(try before[0].decode(Date.self, at: 0)), last_seen_at = \(try before[0].decode(Date.self, at: 1)),
                       last_seen_at > first_seen_at
                FROM optout_sync.quarantine ORDER BY row_locator
                """)
            #expect(try after.map { try $0.decode(Bool.self, at: 1) } == [true, true], "first_seen_at is kept")
            #expect(try after.map { try $0.decode(Bool.self, at: 3) } == [true, true], "last_seen_at moves on")

            // An unchanged table skips the apply, but its quarantined rows are still seen.
            let seen = try await h.conn.query("SELECT max(last_seen_at) FROM optout_sync.quarantine")[0].decode(Date.self, at: 0)
            #expect(try await h.snapshot(unit).unchanged)
            let later = try await h.conn.query("SELECT min(last_seen_at) > \(seen) FROM optout_sync.quarantine")
            #expect(try later[0].decode(Bool.self, at: 0), "last_seen_at moves on an unchanged snapshot too")
        }
    }

    @Test func secondSnapshotParsesNothingAndThePolicyAppliesToCachedResults() async throws {
        try await SnapshotHarness.with { h in
            try await h.conn.execute("CREATE TABLE public.optouts (id int PRIMARY KEY, phone text)")
            try await h.insert("public.optouts", [(1, "+44 20 7946 0958"), (2, "+44 7700 900123"), (3, "hello"), (4, "+44 20 7946 0958"), (5, nil)])
            let unit = try SnapshotHarness.unit(["table": "public.optouts", "phone_column": "phone"])
            let first = try await h.snapshot(unit)
            #expect(first.parsed == 3, "three distinct non-NULL values")
            #expect(first.numbers == 2 && first.invalid == 2 && first.duplicates == 1)
            let unverified = try await h.snapshotRows().first { $0.e164 == "+447700900123" }
            #expect(unverified?.verified == false)
            let cached = try await h.conn.query("SELECT count(*)::bigint FROM optout_sync.normalization_cache WHERE library_version = \(Normalizer.cacheGeneration)")
            #expect(try cached[0].decode(Int64.self, at: 0) == 3)

            // Same rows: normalise and apply are skipped, the counts are the first snapshot's.
            let second = try await h.snapshot(unit)
            #expect(second == LegacySnapshotter.Counts(rowsRead: 5, invalid: 2, duplicates: 1, numbers: 2, parsed: 0, unchanged: true))

            // A changed row is noticed; the values seen before come from the cache.
            try await h.conn.execute("UPDATE public.optouts SET phone = '+44 20 7946 0958' WHERE id = 3")
            let third = try await h.snapshot(unit)
            #expect(third == LegacySnapshotter.Counts(rowsRead: 5, invalid: 1, duplicates: 2, numbers: 2, parsed: 0))
            try await h.conn.execute("UPDATE public.optouts SET phone = 'hello' WHERE id = 3")
            #expect(try await h.snapshot(unit) == LegacySnapshotter.Counts(rowsRead: 5, invalid: 2, duplicates: 1, numbers: 2, parsed: 0))

            // A cached possible-only result is quarantined under `unverified_numbers: quarantine`, unparsed.
            let strict = try await h.snapshot(unit, policy: .quarantine)
            #expect(strict.parsed == 0 && strict.numbers == 1 && strict.invalid == 3)
            #expect(try await h.quarantine().first { $0.locator == "2" }?.reason == "possible_only")
            #expect(try await h.snapshotRows().map(\.e164) == [Self.london])

            // Results of another libphonenumber generation are parsed again (and replace the old ones).
            try await h.conn.execute("UPDATE optout_sync.normalization_cache SET library_version = 'old'")
            try await h.conn.execute("DELETE FROM optout_sync.legacy_snapshot_source")
            #expect(try await h.snapshot(unit).parsed == 3)
            let generations = try await h.conn.query("SELECT DISTINCT library_version FROM optout_sync.normalization_cache")
            #expect(try generations.map { try $0.decode(String.self, at: 0) } == [Normalizer.cacheGeneration])
        }
    }

    @Test func missingTableOrColumnNamesBUTableColumnAndKey() async throws {
        try await SnapshotHarness.with { h in
            try await h.conn.execute("CREATE TABLE public.optouts (id int PRIMARY KEY, phone text)")
            let table = await #expect(throws: LegacyTable.Error.self) {
                try await h.snapshot(try SnapshotHarness.unit(["table": "public.optout", "phone_column": "phone"], name: "travel"))
            }
            #expect(table?.businessUnit == "travel" && table?.table == "\"public\".\"optout\"")
            #expect(table?.column == nil && table?.configKey == "legacy.table")

            let column = await #expect(throws: LegacyTable.Error.self) {
                try await h.snapshot(try SnapshotHarness.unit(["table": "public.optouts", "phone_column": "Phone"]))
            }
            #expect(column?.column == "Phone" && column?.configKey == "legacy.phone_column")
            #expect(column?.description == "business unit cards: legacy table \"public\".\"optouts\", column Phone: no such column (columns are case-sensitive as written) (legacy.phone_column)")

            let region = await #expect(throws: LegacyTable.Error.self) {
                try await h.snapshot(try SnapshotHarness.unit(["table": "public.optouts", "phone_column": "phone", "region_column": "country"]))
            }
            #expect(region?.column == "country" && region?.configKey == "legacy.region_column")
            let time = await #expect(throws: LegacyTable.Error.self) {
                try await h.snapshot(try SnapshotHarness.unit(["table": "public.optouts", "phone_column": "phone", "event_log": [
                    "time_column": "at", "status_column": "phone", "opted_out_values": ["STOP"]]]))
            }
            #expect(time?.column == "at" && time?.configKey == "legacy.event_log.time_column")
        }
    }
}
