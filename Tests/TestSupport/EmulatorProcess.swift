import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// `optout-sync emulator --port 0` as a child process, and a client of its unsigned control surface
/// (docs/emulator.md). Stop it with `stop()` (SIGTERM, then the exit status); `defer { emulator.kill() }`
/// makes sure it is gone when a test fails early.
public final class EmulatorProcess: Sendable {
    public let child: ChildProcess
    public let url: URL

    public struct ControlError: Error, CustomStringConvertible {
        public var path: String
        public var status: Int
        public var body: String
        public var description: String { "emulator control \(path): HTTP \(status): \(body)" }
    }

    /// The default credentials the emulator accepts (the SigV4 test-suite keys).
    public static let accessKeyID = "AKIDEXAMPLE"
    public static let secretAccessKey = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"

    /// Starts the emulator with `arguments` added (`--latency-ms 20`, `--quota OP=RATE`, …) and reads
    /// its port from the first standard output line.
    /// `port` 0 lets the system choose; another value revives an emulator on a known port.
    public static func start(_ arguments: [String] = [], port: Int = 0) async throws -> EmulatorProcess {
        let child = try ChildProcess.optOutSync(["emulator", "--port", String(port)] + arguments, environment: [:])
        let line = try await child.firstLine()
        let prefix = "listening on "
        guard line.hasPrefix(prefix), let url = URL(string: String(line.dropFirst(prefix.count))) else {
            child.kill()
            throw ControlError(path: "(start)", status: 0, body: "unexpected first line: \(line)")
        }
        return EmulatorProcess(child: child, url: url)
    }

    private init(child: ChildProcess, url: URL) {
        self.child = child
        self.url = url
    }

    public func kill() { child.kill() }

    /// SIGTERM and the exit status (0 when it stopped cleanly).
    public func stop() async throws -> ToolResult {
        child.signal(SIGTERM)
        return try await child.wait(timeout: .seconds(20))
    }

    // MARK: Control surface

    public struct Stats: Decodable, Sendable {
        public var requestsByOperation: [String: Int]
        public var throttled: Int
        public var duplicatePuts: Int
        public var stopsSimulated: Int
        public var validationErrors: Int
        public var errorsByType: [String: Int]
        public var faultsByKind: [String: Int]

        public func requests(_ operation: String) -> Int { requestsByOperation[operation] ?? 0 }
    }

    public struct State: Decodable, Sendable {
        public struct Number: Decodable, Sendable {
            public var timestamp: Double
            public var endUserOptedOut: Bool
        }
        public struct List: Decodable, Sendable {
            public var name: String
            public var numbers: [String: Number]
        }
        public var lists: [String: List]

        /// The numbers of list `name` (nil when the list does not exist).
        public func numbers(of name: String) -> Set<String>? { lists[name].map { Set($0.numbers.keys) } }
    }

    public func stats() async throws -> Stats { try JSONDecoder().decode(Stats.self, from: try await request("GET", "/_emulator/stats")) }
    public func state() async throws -> State { try JSONDecoder().decode(State.self, from: try await request("GET", "/_emulator/state")) }

    /// `POST /_emulator/config` with `body` (e.g. `["accountDisabled": true]`).
    public func configure(_ body: [String: any Sendable]) async throws {
        _ = try await request("POST", "/_emulator/config", body: body)
    }

    /// Simulates an end user's STOP reply: `number` lands on list `list` with EndUserOptedOut.
    public func simulateStop(number: String, list: String) async throws {
        _ = try await request("POST", "/_emulator/stop", body: ["number": number, "optOutList": list])
    }

    @discardableResult
    public func request(_ method: String, _ path: String, body: [String: any Sendable]? = nil) async throws -> Data {
        var request = URLRequest(url: url.appendingPathComponent(path))
        request.httpMethod = method
        request.timeoutInterval = 20
        if let body {
            request.httpBody = try JSONSerialization.data(withJSONObject: body)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        let (data, response) = try await URLSession.shared.data(for: request)
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        guard status == 200 else { throw ControlError(path: path, status: status, body: String(decoding: data, as: UTF8.self)) }
        return data
    }
}
