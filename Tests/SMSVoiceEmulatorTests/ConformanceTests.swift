import Foundation
import SMSVoiceEmulator
import TestSupport
import Testing

/// boto3 (the official AWS SDK for Python) is the judge: Python/conformance.py drives every operation,
/// the SDK's paginators and every error class against an in-process emulator and reports each check.
@Suite struct ConformanceTests {
    struct Summary: Decodable {
        struct Check: Decodable { var name: String; var ok: Bool; var detail: String }
        var checks: [Check]
        var passed: Int
        var failed: Int
    }

    @Test func boto3DrivesEveryOperationAndError() async throws {
        let python = try #require(TestEnvironment.python, "OPTOUT_SYNC_PYTHON is not set: run scripts/test (it sets it via scripts/pyenv)")
        var options = EmulatorOptions()
        options.credentials = [.awsTestSuite, EmulatorCredential(accessKeyID: "ASIATEMPEXAMPLE", secretAccessKey: "tempSecretKeyExample",
                                                                 sessionToken: "session-token-example")]
        let running = try SMSVoiceEmulator.start(options: options)
        defer { running.stop() }
        let script = TestEnvironment.packageRoot.appendingPathComponent("Tests/SMSVoiceEmulatorTests/Python/conformance.py").path
        let url = running.url.absoluteString
        let (status, output, errors) = try await onThread { () -> (Int32, Data, Data) in
            let process = Process()
            process.executableURL = URL(fileURLWithPath: python)
            process.arguments = [script, url]
            var environment = ProcessInfo.processInfo.environment
            for key in ["AWS_PROFILE", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE", "AWS_ENDPOINT_URL"] { environment[key] = nil }
            process.environment = environment
            let out = Pipe(), err = Pipe()
            process.standardOutput = out
            process.standardError = err
            try process.run()
            let data = out.fileHandleForReading.readDataToEndOfFile()
            let errData = err.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return (process.terminationStatus, data, errData)
        }
        #expect(status == 0, "conformance.py failed: \(String(decoding: errors, as: UTF8.self))")
        let summary = try JSONDecoder().decode(Summary.self, from: output)
        for check in summary.checks {
            #expect(check.ok, "\(check.name): \(check.detail)")
        }
        #expect(summary.failed == 0)
        #expect(summary.passed >= 46)
    }
}
