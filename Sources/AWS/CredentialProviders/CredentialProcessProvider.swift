import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// Runs a `credential_process` command and reads its JSON output
/// (`{"Version": 1, "AccessKeyId", "SecretAccessKey", "SessionToken"?, "Expiration"?}`).
///
/// The command line is run by `/bin/sh -c` (so quoting works as users write it) with the environment it is
/// given. The blocking wait happens on a dispatch queue, never on the cooperative pool. The command's stderr
/// passes through to ours (prompts, diagnostics); its stdout is only ever parsed, never logged.
/// A command that has not finished after `timeout` (default one minute) is sent SIGTERM with everything
/// it started, and the provider fails: a hung helper must not hang the daemon.
public struct CredentialProcessProvider: CredentialProvider {
    public let command: String
    public let environment: [String: String]
    /// Names the provider in errors, e.g. "profile cards credential_process".
    public let label: String
    public let timeout: Duration

    public init(command: String, environment: [String: String], label: String = "credential_process",
                timeout: Duration = .seconds(60)) {
        self.command = command
        self.environment = environment
        self.label = label
        self.timeout = timeout
    }

    public func credentials() async throws -> Credentials {
        let (status, output) = try await Self.run(command: command, environment: environment, label: label, timeout: timeout)
        guard status == 0 else {
            throw CredentialError.failed(label, "command exited with status \(status)")
        }
        return try CredentialDocument.decode(output, provider: label, tokenKey: "SessionToken", requireVersion1: true)
    }

    /// Runs `/bin/sh -c command`, returning the exit status and stdout.
    static func run(command: String, environment: [String: String], label: String, timeout: Duration) async throws -> (Int32, [UInt8]) {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                let process = Process()
                process.executableURL = URL(fileURLWithPath: "/bin/sh")
                process.arguments = ["-c", command]
                process.environment = environment
                let stdout = Pipe()
                process.standardOutput = stdout
                process.standardInput = FileHandle.nullDevice
                do {
                    try process.run()
                } catch {
                    continuation.resume(throwing: CredentialError.failed(label, "could not start /bin/sh"))
                    return
                }
                let timedOut = Mutex(false)
                let alarm = DispatchWorkItem {
                    timedOut.withLock { $0 = true }
                    // The shell and whatever it started: Foundation makes the child a process-group
                    // leader, and a grandchild still holding stdout would keep the read below waiting.
                    let pid = process.processIdentifier
                    if getpgid(pid) == pid { kill(-pid, SIGTERM) } else { process.terminate() }
                }
                let seconds = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18
                DispatchQueue.global().asyncAfter(deadline: .now() + seconds, execute: alarm)
                // Read to EOF before waiting, so a large output cannot fill the pipe and deadlock.
                let output = stdout.fileHandleForReading.readDataToEndOfFile()
                process.waitUntilExit()
                alarm.cancel()
                if timedOut.withLock({ $0 }) {
                    continuation.resume(throwing: CredentialError.failed(label, "command did not finish within \(timeout) and was stopped"))
                } else {
                    continuation.resume(returning: (process.terminationStatus, Array(output)))
                }
            }
        }
    }
}
