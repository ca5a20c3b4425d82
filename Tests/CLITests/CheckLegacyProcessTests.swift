import Foundation
import Postgres
import Testing
import TestSupport

/// `check`'s legacy-table rows (issue 6 §5) as a process against a real database holding the
/// legacy tables: the table and columns found, sample values masked with what they normalise to,
/// the share of invalid rows.
@Suite struct CheckLegacyProcessTests {
    /// Output lines with runs of column padding turned into `|`.
    static func cells(_ output: String) -> [String] {
        output.split(separator: "\n").map { $0.replacingOccurrences(of: " {2,}", with: "|", options: .regularExpression) }
    }

    /// The example configuration with both BUs reading tables of `conninfo`'s database.
    static func config(_ conninfo: String) throws -> TemporaryConfig {
        try TemporaryConfig { object in
            var database = object["state_database"] as! [String: Any]
            database["conninfo"] = conninfo
            object["state_database"] = database
            var units = object["business_units"] as! [[String: Any]]
            var legacy = units[1]["legacy"] as! [String: Any]
            legacy["conninfo"] = conninfo
            units[1]["legacy"] = legacy
            object["business_units"] = units
        }
    }

    @Test func legacyTableSampleAndInvalidShare() async throws {
        _ = try TestDatabase.conninfo()
        try await PostgresFixture.withDatabase { db in
            let conn = try await db.connect()
            try await conn.executeScript(TestDatabase.cardsTable + """
                INSERT INTO cards.sms_unsubscribes (id, mobile, unsubscribed_at) VALUES
                    (1, '(206) 555-0134', now()), (2, '+1 206 555 0135', now()), (3, 'N/A', now()), (4, '555-0100', now());
                INSERT INTO cards.sms_unsubscribes (id, mobile, unsubscribed_at, resubscribed_at) VALUES (5, 'junk', now(), now());
                CREATE SCHEMA "Marketing";
                CREATE TABLE "Marketing"."StopList" ("PhoneNumber" text, "Country" text);
                """)
            let config = try Self.config(db.conninfo)
            defer { config.remove() }
            let migrate = try await ToolProcess.run(["migrate", "--config", config.path, "--log-level", "warning"])
            #expect(migrate.status == 0, "\(migrate.standardError)")

            let check = try await ToolProcess.run(["check", "--no-aws", "--config", config.path, "--bu", "cards"])
            #expect(check.status == 0, "\(check.standardOutput)\(check.standardError)")
            let lines = Self.cells(check.standardOutput)
            #expect(lines.contains("cards|legacy table|OK|\"cards\".\"sms_unsubscribes\": configured columns found; rows located by primary key (id)"),
                    "\(check.standardOutput)")
            // The predicate leaves rows 1-4; each is shown, masked, with its outcome.
            let samples = lines.filter { $0.hasPrefix("cards|sample|OK|") }.map { String($0.dropFirst("cards|sample|OK|".count)) }
            #expect(samples == ["2065***0134 (US) → +1206***0134", "+1206***0135 (US) → +1206***0135",
                                "*** (US) → invalid: not_a_number", "***00 (US) → invalid: local_only"], "\(check.standardOutput)")
            #expect(lines.contains("cards|invalid share|OK|50.0% invalid (2 of 4 rows); sample: all rows the predicate selects"),
                    "\(check.standardOutput)")
            #expect(!check.standardOutput.contains("555-0134") && !check.standardOutput.contains("5550135"), "numbers are masked")
            #expect(lines.contains { $0.hasPrefix("-|state database|OK|") })

            // travel-uk names a region column the table does not have.
            let wrong = try await ToolProcess.run(["check", "--no-aws", "--config", config.path, "--bu", "travel-uk"])
            #expect(wrong.status == 78, "\(wrong.standardOutput)\(wrong.standardError)")
            #expect(Self.cells(wrong.standardOutput).contains(
                "travel-uk|legacy table|FAIL|business unit travel-uk: legacy table \"Marketing\".\"StopList\", column CountryCode: no such column (columns are case-sensitive as written) (legacy.region_column)"),
                "\(wrong.standardOutput)")
            await conn.close()
        }
    }

    @Test func largeTableIsSampledByBlocks() async throws {
        _ = try TestDatabase.conninfo()
        try await PostgresFixture.withDatabase { db in
            let conn = try await db.connect()
            // 60,000 rows, every tenth invalid; the statistics know the size.
            try await conn.executeScript(TestDatabase.cardsTable + """
                INSERT INTO cards.sms_unsubscribes (id, mobile, unsubscribed_at)
                SELECT g, CASE WHEN g % 10 = 0 THEN 'unknown' ELSE '+1206' || (2000000 + g) END, now() FROM generate_series(1, 60000) g;
                ANALYZE cards.sms_unsubscribes;
                """)
            let config = try Self.config(db.conninfo)
            defer { config.remove() }
            let check = try await ToolProcess.run(["check", "--no-aws", "--config", config.path, "--bu", "cards"])
            let share = Self.cells(check.standardOutput).first { $0.hasPrefix("cards|invalid share|OK|") }
            #expect(share?.contains("% invalid (") == true, "\(check.standardOutput)")
            #expect(share?.contains("; sample: TABLESAMPLE SYSTEM (") == true && share?.hasSuffix("of ~60000 rows, LIMIT 10000") == true, "\(String(describing: share))")
            // Rows sampled: more than a few blocks, never more than the limit; about a tenth invalid.
            let numbers = share.flatMap { $0.firstMatch(of: /\((\d+) of (\d+) rows\)/) }
            let invalid = Int(numbers?.output.1 ?? "") ?? -1, total = Int(numbers?.output.2 ?? "") ?? -1
            #expect(total > 1000 && total <= 10_000, "\(String(describing: share))")
            #expect(abs(Double(invalid) / Double(total) - 0.1) < 0.01, "\(String(describing: share))")
            await conn.close()
        }
    }
}
