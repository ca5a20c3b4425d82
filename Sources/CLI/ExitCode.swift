import Configuration
import Postgres

/// The process exit codes of spec/cli.md: the one place they are defined.
public enum ExitCode: Int32, Sendable, CaseIterable {
    case success = 0
    /// Runtime failure (unexpected), and subcommands not available in this version.
    case failure = 1
    /// Finished, but some items were quarantined or failed permanently, or divergence remains (`--check`).
    case partial = 2
    /// Usage error: unknown flag, missing argument. The command's help is printed.
    case usage = 64
    /// A dependency (database, AWS) is unavailable after retries.
    case unavailable = 69
    /// Interrupted by a signal; the work is checkpointed and resumable.
    case interrupted = 75
    /// Permission denied (AWS AccessDenied, database privilege).
    case permissionDenied = 77
    /// Configuration error; the message names the key path.
    case configuration = 78

    /// One line for the top-level help.
    var meaning: String {
        switch self {
        case .success: "success"
        case .failure: "runtime failure (unexpected), or a command not available in this version"
        case .partial: "finished, but items were quarantined or failed permanently, or divergence remains (reconcile --check)"
        case .usage: "usage error (unknown option, missing argument); the command's help is printed"
        case .unavailable: "a dependency is unavailable (database down, AWS unreachable) after retries"
        case .interrupted: "interrupted by a signal; the work is checkpointed and resumable"
        case .permissionDenied: "permission denied (AWS AccessDenied, database privilege)"
        case .configuration: "configuration error; the message names the key path"
        }
    }
}

extension ExitCode {
    /// The exit code for an error that ends a command: the one mapping from typed errors.
    public init(for error: any Error) {
        switch error {
        case is ConfigError:
            self = .configuration
        case let error as PostgresError:
            self = ExitCode.forPostgres(error)
        case is CancellationError:
            self = .interrupted
        default:
            self = .failure
        }
    }

    private static func forPostgres(_ error: PostgresError) -> ExitCode {
        // 42501 insufficient_privilege; class 28 invalid authorization (wrong password, no pg_hba entry).
        if let state = error.sqlState, state == "42501" || state.hasPrefix("28") { return .permissionDenied }
        // A failed connection carries no SQLSTATE; libpq's text is the only sign of an authentication failure.
        if error.kind == .connection, error.message.contains("authentication failed") { return .permissionDenied }
        return error.isConnectionProblem ? .unavailable : .failure
    }
}
