import Foundation
import Testing
import TestSupport

/// `optout-sync check` against the emulator: the AWS rows (credentials, opt-out list) and their exit codes.
@Suite(.serialized) struct CheckAWSTests {
    @Test func listAndCredentialsAreChecked() async throws {
        try await Scenario.run(setUp: { db in
            [businessUnit("cards", region: "US", list: "cards-optouts",
                          legacy: try await simpleUSTable(db, schema: "cards", numbers: Numbers.us(3, offset: 100)))]
        }) { s in
            // Before provision: the list is missing, and the fix is named (exit 78).
            let missing = try await s.run(["check"])
            #expect(missing.exitCode == 78, "\(missing)")
            #expect(cells(missing.stdout, "cards", "aws credentials") == ["OK", "credentials found; access key AKID…MPLE"])
            #expect(cells(missing.stdout, "cards", "opt-out list") ==
                    ["FAIL", "cards-optouts not found in us-east-1: run optout-sync provision (or fix opt_out_list)"])

            try await s.expectSuccess(["provision"])
            let ok = try await s.expectSuccess(["check"])
            let list = cells(ok.stdout, "cards", "opt-out list")
            #expect(list.first == "OK" && list.last?.hasPrefix("cards-optouts exists in us-east-1 (created 20") == true, "\(ok)")

            // --no-aws: no AWS row, no request.
            let before = try await s.emulator.stats().requests("DescribeOptOutLists")
            let offline = try await s.expectSuccess(["check", "--no-aws"])
            #expect(!offline.stdout.contains("aws credentials") && !offline.stdout.contains("opt-out list"))
            #expect(try await s.emulator.stats().requests("DescribeOptOutLists") == before)

            // A wrong secret: AWS refuses the signature (exit 77); the secret is not printed.
            var environment = s.workspace.environment
            environment["AWS_SECRET_ACCESS_KEY"] = "not-the-secret-0123456789abcdef"
            let refused = try await runTool(arguments: ["--config", s.workspace.configPath, "check"], environment: environment)
            #expect(refused.exitCode == 77, "\(refused)")
            let row = cells(refused.stdout, "cards", "opt-out list")
            #expect(row.first == "FAIL" && row.last?.hasPrefix("InvalidSignatureException") == true, "\(refused)")
            #expect(!(refused.stdout + refused.stderr).contains("not-the-secret"))

            // No credentials at all: a configuration problem (exit 78), named before any request.
            environment["AWS_SECRET_ACCESS_KEY"] = nil
            environment["AWS_ACCESS_KEY_ID"] = nil
            let none = try await runTool(arguments: ["--config", s.workspace.configPath, "check"], environment: environment, timeout: .seconds(60))
            #expect(none.exitCode == 78, "\(none)")
            #expect(cells(none.stdout, "cards", "aws credentials").first == "FAIL", "\(none)")
        }
    }

    /// The RESULT and DETAIL cells of the row for `bu` and `check` in `check`'s table.
    func cells(_ table: String, _ bu: String, _ check: String) -> [String] {
        for line in table.split(separator: "\n") {
            let columns = line.split(separator: "  ", omittingEmptySubsequences: true).map { $0.trimmingCharacters(in: .whitespaces) }
            if columns.count >= 4, columns[0] == bu, columns[1] == check { return [columns[2], columns[3...].joined(separator: "  ")] }
        }
        return []
    }
}
