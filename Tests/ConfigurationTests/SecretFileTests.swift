import Foundation
import Testing
@testable import Configuration

@Suite struct SecretFileTests {
    let directory: URL

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("optout-sync-secrets-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try Data("s3cr3t-pw\r\nsecond line\n".utf8).write(to: directory.appendingPathComponent("pgpass"))
        try Data("\n".utf8).write(to: directory.appendingPathComponent("empty"))
    }

    @Test func absolutePathIsReadAndTheFirstLineIsThePassword() throws {
        let path = directory.appendingPathComponent("pgpass").path
        let config = try ConfigFixture.load(.set("state_database", "password_file", to: "\"\(path)\""))
        #expect(config.stateDatabase.password?.reveal() == "s3cr3t-pw")
        #expect(config.stateDatabase.passwordFile == path)
        #expect(!String(describing: config).contains("s3cr3t"))
        #expect(!String(reflecting: config).contains("s3cr3t"))
        var dumped = ""
        dump(config, to: &dumped)
        #expect(!dumped.contains("s3cr3t"))
    }

    @Test func aRelativeNameIsASystemdCredential() throws {
        let config = try ConfigFixture.load(.set("state_database", "password_file", to: #""pgpass""#),
                                            environment: ["CREDENTIALS_DIRECTORY": directory.path])
        #expect(config.stateDatabase.password?.reveal() == "s3cr3t-pw")
        #expect(config.stateDatabase.passwordFile == directory.appendingPathComponent("pgpass").path)
    }

    @Test func aRelativeNameWithoutCredentialsDirectoryIsAnError() {
        let error = #expect(throws: ConfigError.self) { try ConfigFixture.load(.set("state_database", "password_file", to: #""pgpass""#)) }
        #expect(error?.keyPath == "state_database.password_file")
        #expect(error?.found.contains("$CREDENTIALS_DIRECTORY is not set") == true)
    }

    @Test func escapingTheCredentialsDirectoryIsAnError() {
        let error = #expect(throws: ConfigError.self) {
            try ConfigFixture.load(.set("state_database", "password_file", to: #""../pgpass""#), environment: ["CREDENTIALS_DIRECTORY": directory.path])
        }
        #expect(error?.keyPath == "state_database.password_file")
    }

    @Test func missingOrEmptyFilesAreErrorsWithoutTheSecret() {
        let missing = #expect(throws: ConfigError.self) {
            try ConfigFixture.load(.set("state_database", "password_file", to: #""/nonexistent/pgpass""#))
        }
        #expect(missing?.found == "no such file at /nonexistent/pgpass")
        let empty = #expect(throws: ConfigError.self) {
            try ConfigFixture.load(.set("state_database", "password_file", to: #""empty""#), environment: ["CREDENTIALS_DIRECTORY": directory.path])
        }
        #expect(empty?.found.hasPrefix("an empty first line") == true)
    }
}
