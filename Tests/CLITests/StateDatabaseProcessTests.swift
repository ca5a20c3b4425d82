import Foundation
import Postgres
import Testing
import TestSupport

/// `migrate` and `check` as processes against the throwaway PostgreSQL (OPTOUT_SYNC_TEST_PG).
/// `check` runs for BU `cards`, whose legacy table is created in the test database: the state
/// database row decides the exit status (travel-uk's legacy host does not resolve here).
@Suite struct StateDatabaseProcessTests {
    @Test func migrateThenCheckSucceeds() async throws {
        _ = try TestDatabase.conninfo()
        try await PostgresFixture.withDatabase { db in
            let admin = try await db.connect()
            try await admin.executeScript(TestDatabase.cardsTable)
            await admin.close()
            let config = try TemporaryConfig.withStateDatabase(db.conninfo)
            defer { config.remove() }

            let unmigrated = try await ToolProcess.run(["check", "--no-aws", "--config", config.path, "--bu", "cards"])
            #expect(unmigrated.status == 69)
            #expect(unmigrated.standardOutput.contains("state database  FAIL    schema optout_sync at version 0 of"))

            let first = try await ToolProcess.run(["migrate", "--config", config.path, "--log-format", "json"])
            #expect(first.status == 0, "\(first.standardError)")
            #expect(first.standardOutput.hasPrefix("state schema optout_sync: version before 0, after "))
            #expect(first.standardError.contains(#""msg":"applying migration""#))
            let again = try await ToolProcess.run(["migrate", "--config", config.path])
            #expect(again.status == 0)
            #expect(again.standardOutput.hasSuffix("(already up to date)\n"))

            let check = try await ToolProcess.run(["check", "--no-aws", "--config", config.path, "--bu", "cards"])
            #expect(check.status == 0, "\(check.standardOutput)\(check.standardError)")
            let lines = CheckLegacyProcessTests.cells(check.standardOutput)
            #expect(lines.first?.hasPrefix("BU|") == true)
            #expect(lines.contains("cards|config|OK|list cards-optouts, us-east-1, account 111122223333, table \"cards\".\"sms_unsubscribes\""))
            #expect(!check.standardOutput.contains("travel-uk"), "--bu selects one BU")
            #expect(lines.contains { $0.hasPrefix("-|state database|OK|connected; schema optout_sync at version") })

            // Every BU: travel-uk's legacy database cannot be reached.
            let all = try await ToolProcess.run(["check", "--no-aws", "--config", config.path])
            #expect(all.status == 69, "\(all.standardOutput)")
            #expect(CheckLegacyProcessTests.cells(all.standardOutput).contains { $0.hasPrefix("travel-uk|legacy table|FAIL|PostgreSQL connect failed") })
        }
    }

    @Test func unreachableDatabaseExits69() async throws {
        let config = try TemporaryConfig.withStateDatabase(TestDatabase.unreachableConninfo())
        defer { config.remove() }
        let outcome = try await ToolProcess.run(["check", "--no-aws", "--config", config.path])
        #expect(outcome.status == 69)
        #expect(outcome.standardOutput.contains("state database  FAIL    PostgreSQL connect failed"))
        let migrate = try await ToolProcess.run(["migrate", "--config", config.path])
        #expect(migrate.status == 69)
        #expect(migrate.standardError.contains("optout-sync: migrate failed: PostgreSQL connect failed"))
    }

    @Test func missingPrivilegesExit77() async throws {
        _ = try TestDatabase.conninfo()
        try await PostgresFixture.withDatabase { db in
            let role = "nopriv_" + String(UInt32.random(in: 0...UInt32.max), radix: 36)
            let admin = try await db.connect()
            try await admin.executeScript(TestDatabase.cardsTable + """
                CREATE ROLE \(role) LOGIN;
                GRANT USAGE ON SCHEMA cards TO \(role);
                GRANT SELECT ON cards.sms_unsubscribes TO \(role);
                """)
            let owner = try TemporaryConfig.withStateDatabase(db.conninfo)
            defer { owner.remove() }
            let migrate = try await ToolProcess.run(["migrate", "--config", owner.path, "--log-level", "warning"])
            #expect(migrate.status == 0)
            #expect(migrate.standardError.isEmpty, "info lines are below --log-level warning")

            // Usage on the schema but no rights on its tables: the privilege query names them.
            try await admin.executeScript("GRANT USAGE ON SCHEMA optout_sync TO \(role); GRANT SELECT ON optout_sync.schema_version TO \(role)")
            let limited = try TemporaryConfig.withStateDatabase(db.conninfo + " user=\(role)")
            defer { limited.remove() }
            let outcome = try await ToolProcess.run(["check", "--no-aws", "--config", limited.path, "--bu", "cards"])
            #expect(outcome.status == 77, "\(outcome.standardOutput)\(outcome.standardError)")
            #expect(outcome.standardOutput.contains("state database  FAIL    no SELECT/INSERT/UPDATE/DELETE on "))

            // No usage on the schema at all: the server's permission error.
            try await admin.executeScript("REVOKE ALL ON SCHEMA optout_sync FROM \(role)")
            let denied = try await ToolProcess.run(["check", "--no-aws", "--config", limited.path, "--bu", "cards"])
            #expect(denied.status == 77, "\(denied.standardOutput)")
            try await admin.executeScript("DROP OWNED BY \(role); DROP ROLE \(role)")
            await admin.close()
        }
    }
}
