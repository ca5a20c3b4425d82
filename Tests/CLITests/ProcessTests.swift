import Foundation
import Testing

/// The built binary, run as a process: what an operator or systemd sees.
@Suite struct ProcessTests {
    @Test func version() async throws {
        let outcome = try await ToolProcess.run(["--version"])
        #expect(outcome.status == 0)
        #expect(outcome.standardOutput == "optout-sync 0.1.0\n")
    }

    @Test func help() async throws {
        let outcome = try await ToolProcess.run(["--help"])
        #expect(outcome.status == 0)
        #expect(outcome.standardOutput.contains("EXIT CODES:"))
        #expect(outcome.standardOutput.contains("  78  configuration error"))
        let backfill = try await ToolProcess.run(["backfill", "--help"])
        #expect(backfill.status == 0)
        #expect(backfill.standardOutput.hasPrefix("USAGE: optout-sync backfill [--dry-run] [--restart] [--rate N]"))
    }

    @Test func unknownOptionExits64WithTheCommandsHelp() async throws {
        let outcome = try await ToolProcess.run(["backfill", "--bogus"])
        #expect(outcome.status == 64)
        #expect(outcome.standardOutput.isEmpty)
        #expect(outcome.standardError.hasPrefix("optout-sync: unknown option '--bogus'\n\nUSAGE: optout-sync backfill"))
    }

    @Test func noArgumentsIsAUsageError() async throws {
        let outcome = try await ToolProcess.run([])
        #expect(outcome.status == 64)
        #expect(outcome.standardError.contains("missing command"))
    }

    @Test func badConfigurationExits78NamingTheKeyPath() async throws {
        let config = try TemporaryConfig { object in
            var units = object["business_units"] as! [[String: Any]]
            var legacy = units[1]["legacy"] as! [String: Any]
            legacy["table"] = "StopList"
            units[1]["legacy"] = legacy
            object["business_units"] = units
        }
        defer { config.remove() }
        let outcome = try await ToolProcess.run(["check", "--config", config.path])
        #expect(outcome.status == 78)
        #expect(outcome.standardError.contains("business_units[1].legacy.table: expected schema.table"))
        #expect(outcome.standardError.contains(config.path))
    }

    @Test func configFromTheEnvironmentAndMissingFile() async throws {
        let outcome = try await ToolProcess.run(["migrate"], environment: ["OPTOUT_SYNC_CONFIG": "/nonexistent/optout.json"])
        #expect(outcome.status == 78)
        #expect(outcome.standardError.contains("/nonexistent/optout.json: expected a readable JSON configuration file, found no such file"))
    }

    @Test func unknownKeyExits78() async throws {
        let config = try TemporaryConfig { object in
            var sync = object["sync"] as! [String: Any]
            sync["writeback"] = false
            object["sync"] = sync
        }
        defer { config.remove() }
        let outcome = try await ToolProcess.run(["--config=\(config.path)", "check"])
        #expect(outcome.status == 78)
        #expect(outcome.standardError.contains("sync.writeback: expected a known key (did you mean \"write_back\"?), found an unknown key"))
    }

    @Test func commandsOfLaterVersionsSaySoAndExit1() async throws {
        let config = try TemporaryConfig()
        defer { config.remove() }
        let outcome = try await ToolProcess.run(["backfill", "--config", config.path])
        #expect(outcome.status == 1)
        #expect(outcome.standardError == "optout-sync: 'backfill' is not available yet in this version\n")
    }
}
