import Foundation

/// A temporary directory for one end-to-end test: it is the child processes' HOME (so no real
/// `~/.aws` is read) and holds the configuration file written from `config`. Removed on deinit.
public final class ToolWorkspace: Sendable {
    public let directory: URL
    public let configPath: String
    public let environment: [String: String]

    /// A configuration for the emulator at `endpoint`: fast rate limits, no metrics endpoint, no
    /// write-back; `businessUnits` are the `business_units[]` objects as in docs/configuration.md.
    public static func config(stateConninfo: String, endpoint: URL, maxInFlight: Int = 16,
                              putRate: Double = 2000, describeRate: Double = 100,
                              businessUnits: [[String: Any]]) -> [String: Any] {
        [
            "state_database": ["conninfo": stateConninfo, "schema": "optout_sync"],
            "aws": [
                "region": "us-east-1", "endpoint_url": endpoint.absoluteString, "max_in_flight": maxInFlight,
                "max_attempts": 3,
                "rate_limits": ["PutOptedOutNumber": putRate, "DescribeOptedOutNumbers": describeRate,
                                "DescribeOptOutLists": describeRate, "CreateOptOutList": describeRate],
            ] as [String: Any],
            "sync": ["write_back": false, "unverified_numbers": "send", "opt_in_policy": "report"],
            "metrics": ["listen": NSNull()],
            "business_units": businessUnits,
        ]
    }

    public init(config: [String: Any]) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("optout-sync-e2e-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let path = directory.appendingPathComponent("config.json")
        try JSONSerialization.data(withJSONObject: config, options: [.prettyPrinted, .sortedKeys]).write(to: path)
        configPath = path.path
        environment = [
            "HOME": directory.path,
            "AWS_ACCESS_KEY_ID": EmulatorProcess.accessKeyID,
            "AWS_SECRET_ACCESS_KEY": EmulatorProcess.secretAccessKey,
            "AWS_EC2_METADATA_DISABLED": "true",
            "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin",
        ]
    }

    deinit { try? FileManager.default.removeItem(at: directory) }

    /// `optout-sync --config FILE --log-format json ARGUMENTS…` to completion.
    public func run(_ arguments: [String], timeout: Duration = .seconds(90)) async throws -> ToolResult {
        try await runTool(arguments: prefix + arguments, environment: environment, timeout: timeout)
    }

    /// The same, started in the background (for signals).
    public func start(_ arguments: [String]) throws -> ChildProcess {
        try ChildProcess.optOutSync(prefix + arguments, environment: environment)
    }

    private var prefix: [String] { ["--config", configPath, "--log-format", "json"] }
}
