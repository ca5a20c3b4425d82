import Configuration
import Postgres
import Testing
@testable import CLI

@Suite struct ExitCodeTests {
    @Test func documentedValues() {
        #expect(ExitCode.allCases.map(\.rawValue) == [0, 1, 2, 64, 69, 75, 77, 78])
    }

    @Test func typedErrorsMapToTheDocumentedCodes() {
        #expect(ExitCode(for: ConfigError(keyPath: "aws.region", expected: "a region", found: "a number")) == .configuration)
        #expect(ExitCode(for: CancellationError()) == .interrupted)
        #expect(ExitCode(for: PostgresError(kind: .connection, operation: "connect", message: "could not connect to server: Connection refused")) == .unavailable)
        #expect(ExitCode(for: PostgresError(kind: .server, operation: "query", sqlState: "57P01", message: "terminating connection")) == .unavailable)
        #expect(ExitCode(for: PostgresError(kind: .server, operation: "query", sqlState: "42501", message: "permission denied for schema optout_sync")) == .permissionDenied)
        #expect(ExitCode(for: PostgresError(kind: .server, operation: "connect", sqlState: "28P01", message: "password authentication failed")) == .permissionDenied)
        #expect(ExitCode(for: PostgresError(kind: .connection, operation: "connect", message: "FATAL:  password authentication failed for user \"x\"")) == .permissionDenied)
        #expect(ExitCode(for: PostgresError(kind: .server, operation: "query", sqlState: "42P01", message: "relation does not exist")) == .failure)
        struct Other: Error {}
        #expect(ExitCode(for: Other()) == .failure)
    }
}
