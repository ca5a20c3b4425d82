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
        guard let python = TestEnvironment.python else {
            throw ReferenceError(message: "OPTOUT_SYNC_PYTHON is not set: run the tests through scripts/test (it runs scripts/pyenv)")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [script] + arguments
        if let stdin { process.standardInput = try FileHandle(forReadingFrom: stdin) }
        let stdout = Pipe()
        process.standardOutput = stdout
        try process.run()
        let data = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw ReferenceError(message: "\(script) \(arguments.joined(separator: " ")) exited with \(process.terminationStatus)")
        }
        return data
    }
}

struct ReferenceError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}

/// Runs blocking work (a child process, a parallel batch) on a Dispatch queue, off Swift's cooperative pool.
func offThePool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async { continuation.resume(with: Result(catching: body)) }
    }
}

/// A raw value made readable in failure messages: invisible and non-ASCII characters as \u{…}.
func visible(_ text: String?) -> String {
    guard let text else { return "NULL" }
    return "\"" + text.unicodeScalars.map { $0.isASCII && $0.value >= 0x20 ? String($0) : "\\u{\(String($0.value, radix: 16))}" }.joined() + "\""
}
