import Foundation

/// Runs a `credential_process` command and reads its JSON output
/// (`{"Version": 1, "AccessKeyId", "SecretAccessKey", "SessionToken"?, "Expiration"?}`).
///
/// The command line is run by `/bin/sh -c` (so quoting works as users write it) with the environment it is
/// given. The blocking wait happens on a dispatch queue, never on the cooperative pool. The command's stderr
/// passes through to ours (prompts, diagnostics); its stdout is only ever parsed, never logged.
public struct CredentialProcessProvider: CredentialProvider {
    public let command: String
    public let environment: [String: String]
    /// Names the provider in errors, e.g. "profile cards credential_process".
    public let label: String

    public init(command: String, environment: [String: String], label: String = "credential_process") {
        self.command = command
        self.environment = environment
        self.label = label
    }

    public func credentials() async throws -> Credentials {
        let (status, output) = try await Self.run(command: command, environment: environment, label: label)
        guard status == 0 else {
            throw CredentialError.failed(label, "command exited with status \(status)")
        }
        return try CredentialDocument.decode(output, provider: label, tokenKey: "SessionToken", requireVersion1: true)
    }

    /// Runs `/bin/sh -c command`, returning the exit status and stdout.
    static func run(command: String, environment: [String: String], label: String) async throws -> (Int32, [UInt8]) {
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
                // Read to EOF before waiting, so a large output cannot fill the pipe and deadlock.
                let output = stdout.fileHandleForReading.readDataToEndOfFile()
                process.waitUntilExit()
                continuation.resume(returning: (process.terminationStatus, Array(output)))
            }
        }
    }
}
