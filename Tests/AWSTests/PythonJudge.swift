import Foundation
import TestSupport
import Testing

/// Runs one of the Python judges in Tests/AWSTests/Python with the project's virtualenv
/// (`OPTOUT_SYNC_PYTHON`): JSON lines in on stdin, JSON lines out.
enum PythonJudge {
    struct Missing: Error, CustomStringConvertible {
        var description: String { "OPTOUT_SYNC_PYTHON is not set: run the tests through scripts/test (or export OPTOUT_SYNC_PYTHON=$(scripts/pyenv))" }
    }

    struct Failed: Error, CustomStringConvertible {
        var status: Int32
        var stderr: String
        var description: String { "python judge exited \(status): \(stderr)" }
    }

    static func run(script: String, lines: [[String: Any]]) throws -> [[String: Any]] {
        guard let python = TestEnvironment.python else { throw Missing() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [TestEnvironment.packageRoot.appendingPathComponent("Tests/AWSTests/Python/\(script)").path]
        let input = Pipe(), output = Pipe(), errors = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        var payload = Data()
        for line in lines {
            payload.append(try JSONSerialization.data(withJSONObject: line))
            payload.append(0x0A)
        }
        // Write from another thread so a full stdout pipe cannot deadlock us.
        let bytes = payload
        let writer = Thread {
            input.fileHandleForWriting.write(bytes)
            try? input.fileHandleForWriting.close()
        }
        writer.start()
        let out = output.fileHandleForReading.readDataToEndOfFile()
        let err = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failed(status: process.terminationStatus, stderr: String(decoding: err, as: UTF8.self))
        }
        return try String(decoding: out, as: UTF8.self).split(separator: "\n").map {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] ?? [:]
        }
    }
}
