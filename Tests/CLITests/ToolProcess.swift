import Foundation
import Testing
import TestSupport

/// Runs the built `optout-sync` binary as a process: `OPTOUT_SYNC_BIN` (set by scripts/test), else
/// `.build/debug/optout-sync` under the package root.
struct ToolProcess {
    struct Outcome {
        var status: Int32
        var standardOutput: String
        var standardError: String
    }

    static func binary() throws -> String {
        if let path = ProcessInfo.processInfo.environment["OPTOUT_SYNC_BIN"], !path.isEmpty { return path }
        let path = TestEnvironment.packageRoot.appendingPathComponent(".build/debug/optout-sync").path
        guard FileManager.default.isExecutableFile(atPath: path) else {
            Issue.record("optout-sync binary not found: run scripts/test, or `swift build --product optout-sync` and set OPTOUT_SYNC_BIN")
            throw CancellationError()
        }
        return path
    }

    /// Runs the binary with `arguments` and an environment of exactly `environment` plus PATH;
    /// output goes to temporary files (no pipe can fill up), waited for on a dispatch queue.
    static func run(_ arguments: [String], environment: [String: String] = [:]) async throws -> Outcome {
        let binary = try binary()
        return try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                do {
                    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("optout-sync-run-\(UUID())")
                    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
                    defer { try? FileManager.default.removeItem(at: directory) }
                    let outURL = directory.appendingPathComponent("out"), errURL = directory.appendingPathComponent("err")
                    _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
                    _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
                    let process = Process()
                    process.executableURL = URL(fileURLWithPath: binary)
                    process.arguments = arguments
                    var env = environment
                    env["PATH"] = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
                    process.environment = env
                    process.standardOutput = try FileHandle(forWritingTo: outURL)
                    process.standardError = try FileHandle(forWritingTo: errURL)
                    try process.run()
                    process.waitUntilExit()
                    continuation.resume(returning: Outcome(
                        status: process.terminationStatus,
                        standardOutput: try String(contentsOf: outURL, encoding: .utf8),
                        standardError: try String(contentsOf: errURL, encoding: .utf8)))
                } catch {
                    continuation.resume(throwing: error)
                }
            }
        }
    }
}

extension ToolProcess {
    /// A long-running process: the first line of its standard output, then SIGTERM and its exit status.
    final class Running: @unchecked Sendable {  // @unchecked: the Process is touched by one test at a time
        let process = Process()
        private let output = Pipe()

        init(_ arguments: [String]) throws {
            process.executableURL = URL(fileURLWithPath: try ToolProcess.binary())
            process.arguments = arguments
            process.standardOutput = output
            process.standardError = FileHandle.nullDevice
            try process.run()
        }

        /// Reads standard output up to the first newline (on a dispatch queue: reads block).
        func firstLine() async -> String {
            await withCheckedContinuation { continuation in
                DispatchQueue.global().async {
                    var bytes: [UInt8] = []
                    while true {
                        let chunk = self.output.fileHandleForReading.readData(ofLength: 1)
                        if chunk.isEmpty || chunk.first == UInt8(ascii: "\n") { break }
                        bytes.append(contentsOf: chunk)
                    }
                    continuation.resume(returning: String(decoding: bytes, as: UTF8.self))
                }
            }
        }

        func terminate() async -> Int32 {
            kill(process.processIdentifier, SIGTERM)
            return await withCheckedContinuation { continuation in
                DispatchQueue.global().async {
                    self.process.waitUntilExit()
                    continuation.resume(returning: self.process.terminationStatus)
                }
            }
        }
    }
}

/// A temporary configuration file built from docs/config.example.json with some keys replaced.
struct TemporaryConfig {
    let url: URL
    var path: String { url.path }

    /// `edit` receives the example as a JSON object and changes it.
    init(_ edit: (inout [String: Any]) -> Void = { _ in }) throws {
        let example = TestEnvironment.packageRoot.appendingPathComponent("docs/config.example.json")
        var object = try JSONSerialization.jsonObject(with: Data(contentsOf: example)) as! [String: Any]
        edit(&object)
        url = FileManager.default.temporaryDirectory.appendingPathComponent("optout-sync-test-\(UUID()).json")
        try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted]).write(to: url)
    }

    /// The example with its state database pointed at `conninfo`.
    static func withStateDatabase(_ conninfo: String) throws -> TemporaryConfig {
        try TemporaryConfig { object in
            var database = object["state_database"] as! [String: Any]
            database["conninfo"] = conninfo
            object["state_database"] = database
        }
    }

    func remove() { try? FileManager.default.removeItem(at: url) }
}

enum TestDatabase {
    /// The example configuration's `cards` table (BU `cards`, read from the state database), empty.
    static let cardsTable = """
        CREATE SCHEMA cards;
        CREATE TABLE cards.sms_unsubscribes (id int PRIMARY KEY, mobile text, unsubscribed_at timestamptz,
                                             resubscribed_at timestamptz, updated_at timestamptz);

        """

    /// The throwaway cluster's conninfo (`OPTOUT_SYNC_TEST_PG`, set by scripts/test).
    static func conninfo() throws -> String {
        guard let conninfo = ProcessInfo.processInfo.environment["OPTOUT_SYNC_TEST_PG"], !conninfo.isEmpty else {
            Issue.record("OPTOUT_SYNC_TEST_PG is not set: run scripts/test (or eval \"$(scripts/pg-throwaway start)\")")
            throw CancellationError()
        }
        return conninfo
    }

    /// A conninfo nobody listens on: a free loopback port that was just closed.
    static func unreachableConninfo() -> String {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        close(fd)
        return "host=127.0.0.1 port=\(UInt16(bigEndian: address.sin_port)) user=postgres dbname=postgres connect_timeout=2"
    }
}
