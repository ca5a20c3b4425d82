import Foundation
import Testing
import TestSupport

/// Runs scripts/phonenumbers-reference.py (the `phonenumbers` package behind the same rules) with the
/// venv python of scripts/pyenv.
enum Reference {
    static let script = TestEnvironment.packageRoot.appendingPathComponent("scripts/phonenumbers-reference.py").path

    /// Answers (`NormalizationResult.cacheEncoding`) for `rows` of (raw, region).
    static func judge(_ rows: [[String?]], defaultRegion: String) throws -> [String] {
        let input = FileManager.default.temporaryDirectory.appendingPathComponent("phone-judge-\(UUID().uuidString).json")
        try JSONEncoder().encode(rows).write(to: input)
        defer { try? FileManager.default.removeItem(at: input) }
        let output = try run(["judge", "--default-region", defaultRegion], stdin: input)
        return try JSONDecoder().decode([String].self, from: output)
    }

    /// The seeded messy corpus with the reference's answers: rows of (raw, region, answer).
    static func corpus(seed: String, count: Int, defaultRegion: String) throws -> [[String?]] {
        let output = try run(["generate", "--default-region", defaultRegion, "--seed", seed, "--count", "\(count)"], stdin: nil)
        return try JSONDecoder().decode([[String?]].self, from: output)
    }

    private static func run(_ arguments: [String], stdin: URL?) throws -> Data {
        let python = try #require(TestEnvironment.python, "OPTOUT_SYNC_PYTHON is not set: run the tests through scripts/test (it runs scripts/pyenv)")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [script] + arguments
        if let stdin { process.standardInput = try FileHandle(forReadingFrom: stdin) }
        let stdout = Pipe()
        process.standardOutput = stdout
        try process.run()
        let data = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0, "\(script) \(arguments.joined(separator: " ")) exited with \(process.terminationStatus)")
        return data
    }
}
