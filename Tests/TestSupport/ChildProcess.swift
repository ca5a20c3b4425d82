import Foundation
import Synchronization

/// The built `optout-sync` binary: `OPTOUT_SYNC_BIN` (set by scripts/test), else `.build/debug/optout-sync`
/// under the package root.
public enum OptOutSyncBinary {
    public struct Missing: Error, CustomStringConvertible {
        public var description: String {
            "optout-sync binary not found: run scripts/test, or `swift build --product optout-sync` and set OPTOUT_SYNC_BIN"
        }
    }

    public static func path() throws -> String {
        if let path = ProcessInfo.processInfo.environment["OPTOUT_SYNC_BIN"], !path.isEmpty { return path }
        let path = TestEnvironment.packageRoot.appendingPathComponent(".build/debug/optout-sync").path
        guard FileManager.default.isExecutableFile(atPath: path) else { throw Missing() }
        return path
    }
}

/// What a finished process left behind.
public struct ToolResult: Sendable, CustomStringConvertible {
    public var exitCode: Int32
    /// True when a signal ended the process (`exitCode` is then the signal number).
    public var signalled: Bool
    public var stdout: String
    public var stderr: String

    public var description: String { "exit \(signalled ? "signal " : "")\(exitCode)\nstdout:\n\(stdout)\nstderr:\n\(stderr)" }
}

/// A child process whose standard output and error go to temporary files (no pipe can fill up and
/// block it), with an exact environment. Waiting polls the exit flag with `Task.sleep`, so no thread
/// of the cooperative pool blocks. `kill()` is synchronous so tests can call it from `defer`; a
/// forgotten process is killed on deinit.
public final class ChildProcess: @unchecked Sendable {  // @unchecked: `process` is configured once in init; exit status under a Mutex
    public struct Timeout: Error, CustomStringConvertible {
        public var arguments: [String]
        public var seconds: Double
        public var output: String
        public var description: String { "\(arguments.joined(separator: " ")) did not finish within \(seconds) s (killed)\n\(output)" }
    }

    private let process = Process()
    private let directory: URL
    private let exit = ExitStatus()
    public let arguments: [String]

    public init(executable: String, arguments: [String], environment: [String: String]) throws {
        self.arguments = arguments
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("optout-sync-child-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let out = directory.appendingPathComponent("stdout"), err = directory.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        var env = environment
        if env["PATH"] == nil { env["PATH"] = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin" }
        process.environment = env
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        let exit = self.exit
        process.terminationHandler = { p in
            exit.value.withLock { $0 = (p.terminationStatus, p.terminationReason == .uncaughtSignal) }
        }
        try process.run()
    }

    /// Starts the `optout-sync` binary.
    public static func optOutSync(_ arguments: [String], environment: [String: String]) throws -> ChildProcess {
        try ChildProcess(executable: OptOutSyncBinary.path(), arguments: arguments, environment: environment)
    }

    deinit {
        kill()
        try? FileManager.default.removeItem(at: directory)
    }

    public var pid: Int32 { process.processIdentifier }
    public var hasExited: Bool { exit.value.withLock { $0 != nil } }

    public func signal(_ signal: Int32) {
        if !hasExited { _ = Foundation.kill(pid, signal) }
    }

    /// SIGKILL if still running; does not wait.
    public func kill() { signal(SIGKILL) }

    /// Everything written to standard output so far.
    public var stdout: String { read("stdout") }
    public var stderr: String { read("stderr") }

    private func read(_ name: String) -> String {
        (try? String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)) ?? ""
    }

    /// Waits for the exit; after `timeout` the process is killed and `Timeout` thrown.
    public func wait(timeout: Duration = .seconds(60)) async throws -> ToolResult {
        let deadline = ContinuousClock.now + timeout
        while true {
            if let (status, signalled) = exit.value.withLock({ $0 }) {
                return ToolResult(exitCode: status, signalled: signalled, stdout: stdout, stderr: stderr)
            }
            if ContinuousClock.now >= deadline {
                kill()
                let seconds = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18
                throw Timeout(arguments: arguments, seconds: seconds, output: "stdout:\n\(stdout)\nstderr:\n\(stderr)")
            }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    /// Waits until standard output holds a complete first line and returns it.
    public func firstLine(timeout: Duration = .seconds(20)) async throws -> String {
        let deadline = ContinuousClock.now + timeout
        while true {
            let text = stdout
            if let newline = text.firstIndex(of: "\n") { return String(text[..<newline]) }
            if hasExited || ContinuousClock.now >= deadline {
                kill()
                throw Timeout(arguments: arguments, seconds: 20, output: "no first line; stdout:\n\(text)\nstderr:\n\(stderr)")
            }
            try await Task.sleep(for: .milliseconds(10))
        }
    }
}

/// The exit status, set by Foundation's termination handler, read by waiters.
private final class ExitStatus: Sendable {
    let value = Mutex<(status: Int32, signalled: Bool)?>(nil)
}

/// Runs `optout-sync` to completion (killed after `timeout`).
public func runTool(arguments: [String], environment: [String: String], timeout: Duration = .seconds(90)) async throws -> ToolResult {
    let child = try ChildProcess.optOutSync(arguments, environment: environment)
    defer { child.kill() }
    return try await child.wait(timeout: timeout)
}
