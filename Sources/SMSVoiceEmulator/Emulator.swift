import Foundation
import HTTPServer
import Hashing
import JSON
import Logging
import Synchronization

/// Everything `optout-sync emulator` configures (spec/cli.md); the CLI parses argv into this.
public struct EmulatorOptions: Sendable {
    public var host = "127.0.0.1"
    public var port: UInt16 = 0
    public var region = "us-east-1"
    public var account = "123456789012"
    public var credentials: [EmulatorCredential] = [.awsTestSuite]
    /// Requests per second by operation name (e.g. `PutOptedOutNumber`); unlisted operations are unlimited.
    public var quotas: [String: Double] = [:]
    public var latencyMs: Double = 0
    public var jitterMs: Double = 0
    /// Probability (0...1) that a request gets a fault (500, dropped connection or slow answer).
    public var faultRate: Double = 0
    public var seed: UInt64 = 0
    /// JSON file the state is loaded from at start and saved to (at most once a second, and at stop).
    public var stateFile: String?
    public var clock: EmulatorClock = EmulatorClock(clock: ContinuousClock())
    public var maxRequestBytes = 1 << 20

    /// AWS's documented default quotas (spec/aws-api.md); PutOptedOutNumber's must come from the account.
    public static let awsDefaultQuotas: [String: Double] = [
        "DeleteOptedOutNumber": 10, "CreateOptOutList": 1, "DeleteOptOutList": 1,
        "DescribeOptedOutNumbers": 1, "DescribeOptOutLists": 1,
    ]

    public init() {}

    /// The operations the emulator serves (valid names for `quotas`).
    public static var operationNames: [String] { Shapes.requests.keys.sorted() }

    /// Parses the CLI's `OP=RATE` (`--quota`): a served operation and a positive rate; nil when malformed.
    public static func parseQuota(_ argument: String) -> (operation: String, rate: Double)? {
        let parts = argument.split(separator: "=", maxSplits: 1).map(String.init)
        guard parts.count == 2, Shapes.requests[parts[0]] != nil, let rate = Double(parts[1]), rate > 0, rate.isFinite else { return nil }
        return (parts[0], rate)
    }
}

/// Counters the control surface reports (`GET /_emulator/stats`).
public struct EmulatorStats: Codable, Sendable, Equatable {
    public var requestsByOperation: [String: Int] = [:]
    public var throttledByOperation: [String: Int] = [:]
    public var errorsByType: [String: Int] = [:]
    public var faultsByKind: [String: Int] = [:]
    public var badSignatures = 0
    public var validationErrors = 0
    public var throttled = 0
    public var duplicatePuts = 0
    public var stopsSimulated = 0
    public var currentConcurrency = 0
    public var peakConcurrency = 0
    /// Requests per emulator-clock second (epoch seconds as keys), the last hour.
    public var timeline: [String: Int] = [:]

    public var totalRequests: Int { requestsByOperation.values.reduce(0, +) }
}

/// The emulated SMS Voice v2 endpoint: SigV4 check, faults, quotas, validation, then the domain state.
/// `handle` is the HTTP handler; it may sleep (latency injection) because `HTTPServer` runs it on the
/// connection's own thread.
public final class Emulator: Sendable {
    struct Traffic: Sendable {
        var buckets = TokenBuckets()
        var quotas: [String: Double]
        var disturbances: Disturbances
        var accountDisabled = false
    }

    public let options: EmulatorOptions
    public let clock: EmulatorClock
    let logger: Logger
    let verifier: SigV4Verifier
    private let state: Mutex<EmulatorState>
    private let traffic: Mutex<Traffic>
    private let stats = Mutex(EmulatorStats())
    private let inFlight = Atomic<Int>(0)
    private let peak = Atomic<Int>(0)
    /// Set when the state changed since the last save.
    let dirty = Atomic<Bool>(false)

    public init(options: EmulatorOptions, logger: Logger = .disabled) throws {
        self.options = options
        self.clock = options.clock
        self.logger = logger
        self.verifier = SigV4Verifier(credentials: options.credentials, region: options.region)
        var initial = EmulatorState(region: options.region, account: options.account, now: options.clock.now())
        if let path = options.stateFile, FileManager.default.fileExists(atPath: path) {
            initial = try JSONDecoder().decode(EmulatorState.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
        }
        self.state = Mutex(initial)
        var traffic = Traffic(quotas: options.quotas, disturbances: Disturbances(seed: options.seed))
        traffic.disturbances.latencyMs = options.latencyMs
        traffic.disturbances.jitterMs = options.jitterMs
        traffic.disturbances.faultRate = options.faultRate
        traffic.buckets.configure(options.quotas, now: options.clock.requestTime().timeIntervalSince1970)
        self.traffic = Mutex(traffic)
    }

    public var snapshot: EmulatorState { state.withLock { $0 } }
    public var statistics: EmulatorStats {
        var copy = stats.withLock { $0 }
        copy.currentConcurrency = inFlight.load(ordering: .relaxed)
        copy.peakConcurrency = peak.load(ordering: .relaxed)
        return copy
    }

    /// Writes the state file (atomically) if one is configured.
    public func save() throws {
        guard let path = options.stateFile else { return }
        dirty.store(false, ordering: .relaxed)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try encoder.encode(snapshot).write(to: URL(fileURLWithPath: path), options: .atomic)
    }

    // MARK: API requests

    /// What one API request did, for the statistics (recorded under one lock per request).
    struct Outcome {
        var result: Result<JSONValue, APIError>
        var fault: FaultKind?
        var duplicatePut = false
    }

    public func handle(_ request: HTTPServerRequest) -> HTTPServerResponse {
        if request.path.hasPrefix("/_emulator/") { return control(request) }
        // Concurrency is tracked with atomics: 64 threads taking a lock twice more per request cost more than the work.
        let concurrent = inFlight.add(1, ordering: .relaxed).newValue
        var peakSoFar = peak.load(ordering: .relaxed)
        while concurrent > peakSoFar {
            let (exchanged, original) = peak.compareExchange(expected: peakSoFar, desired: concurrent, ordering: .relaxed)
            if exchanged { break }
            peakSoFar = original
        }
        defer { inFlight.subtract(1, ordering: .relaxed) }
        let requestID = UUID().uuidString.lowercased()
        let now = clock.now()
        let target = request.header("x-amz-target") ?? ""
        let operation = target.hasPrefix("PinpointSMSVoiceV2.") ? String(target.dropFirst("PinpointSMSVoiceV2.".count)) : ""
        let known = Shapes.requests[operation] != nil
        let outcome = process(request, operation: operation, known: known, now: now, requestID: requestID)
        stats.withLock { s in
            s.requestsByOperation[known ? operation : "(unknown)", default: 0] += 1
            let second = String(Int(now.timeIntervalSince1970))
            s.timeline[second, default: 0] += 1
            if s.timeline.count > 3700 {
                for key in s.timeline.keys.sorted().prefix(s.timeline.count - 3600) { s.timeline[key] = nil }
            }
            if let fault = outcome.fault { s.faultsByKind[fault.rawValue, default: 0] += 1 }
            if outcome.duplicatePut { s.duplicatePuts += 1 }
            guard case .failure(let error) = outcome.result, error.type != "__drop" else { return }
            s.errorsByType[error.type, default: 0] += 1
            switch error.type {
            case "ValidationException", "SerializationException": s.validationErrors += 1
            case "ThrottlingException": s.throttled += 1; s.throttledByOperation[operation, default: 0] += 1
            case "InvalidSignatureException", "IncompleteSignatureException", "UnrecognizedClientException",
                 "MissingAuthenticationTokenException": s.badSignatures += 1
            default: break
            }
        }
        switch outcome.result {
        case .success(let body):
            return HTTPServerResponse(status: 200, headers: [("Content-Type", "application/x-amz-json-1.0"), ("x-amzn-RequestId", requestID)],
                                      body: body.serialized())
        case .failure(let error) where error.type == "__drop":
            return .drop
        case .failure(let error):
            return HTTPServerResponse(status: error.status,
                                      headers: [("Content-Type", "application/x-amz-json-1.0"), ("x-amzn-RequestId", requestID),
                                                ("X-Amzn-ErrorType", error.type)],
                                      body: error.body.serialized())
        }
    }

    private func process(_ request: HTTPServerRequest, operation: String, known: Bool, now: Date, requestID: String) -> Outcome {
        if let error = verifier.verify(method: request.method, path: request.path, query: request.query,
                                       headers: request.headers, body: request.body, now: clock.requestTime()) {
            return Outcome(result: .failure(error))
        }
        guard request.method == "POST", request.path == "/", known else {
            return Outcome(result: .failure(.unknownOperation(request.header("x-amz-target") ?? "")))
        }
        // One lock for the fault draw, the account switch and the quota (decided at arrival).
        let arrival = clock.requestTime().timeIntervalSince1970
        let (fault, delayMs, disabled, allowed) = traffic.withLock { t in
            let draw = t.disturbances.draw()
            let allowed = draw.fault == .drop || draw.fault == .error || t.accountDisabled || t.buckets.take(operation, now: arrival)
            return (draw.fault, draw.delayMs, t.accountDisabled, allowed)
        }
        if delayMs > 0 { usleep(UInt32(min(delayMs, 600_000) * 1000)) }
        switch fault {
        case .drop: return Outcome(result: .failure(APIError("__drop", "dropped")), fault: fault)
        case .error: return Outcome(result: .failure(.internalError(requestID: requestID)), fault: fault)
        case .slow, nil: break
        }
        if disabled { return Outcome(result: .failure(.accessDenied("ACCOUNT_DISABLED")), fault: fault) }
        guard allowed else { return Outcome(result: .failure(.throttling(operation)), fault: fault) }
        guard let body = JSONValue.parse(request.body.isEmpty ? Array("{}".utf8) : request.body) else {
            return Outcome(result: .failure(.serialization("The request body is not valid JSON.")), fault: fault)
        }
        if let error = RequestValidator.validate(body, operation: operation) { return Outcome(result: .failure(error), fault: fault) }
        var duplicate = false
        let result: Result<JSONValue, APIError> = state.withLock { s in
            do throws(APIError) {
                return .success(try s.execute(operation, body, now: now, duplicatePut: &duplicate))
            } catch {
                return .failure(error)
            }
        }
        if case .success = result, !operation.hasPrefix("Describe") { dirty.store(true, ordering: .relaxed) }
        return Outcome(result: result, fault: fault, duplicatePut: duplicate)
    }

    // MARK: control surface (unsigned, loopback only)

    func control(_ request: HTTPServerRequest) -> HTTPServerResponse {
        guard request.isLoopback else { return Self.controlAnswer(403, ["error": "the control surface answers loopback clients only"]) }
        let body = request.body.isEmpty ? JSONValue.object([:]) : (JSONValue.parse(request.body) ?? .null)
        guard case .object = body else { return Self.controlAnswer(400, ["error": "the body must be a JSON object"]) }
        let now = clock.now()
        switch (request.method, request.path) {
        case ("GET", "/_emulator/health"):
            return Self.controlAnswer(200, ["ok": true])
        case ("GET", "/_emulator/state"):
            return Self.encoded(snapshot)
        case ("GET", "/_emulator/stats"):
            return Self.encoded(statistics)
        case ("POST", "/_emulator/reset"):
            state.withLock { $0 = EmulatorState(region: options.region, account: options.account, now: now) }
            stats.withLock { $0 = EmulatorStats() }
            peak.store(0, ordering: .relaxed)
            dirty.store(true, ordering: .relaxed)
            logger.info("emulator state reset")
            return Self.controlAnswer(200, ["ok": true])
        case ("POST", "/_emulator/clock"):
            let seconds = body["advanceSeconds"]?.numberValue ?? 0
            guard seconds >= 0 else { return Self.controlAnswer(400, ["error": "advanceSeconds must not be negative"]) }
            clock.advance(by: .milliseconds(Int64(seconds * 1000)))
            return Self.controlAnswer(200, ["now": .number(clock.now().timeIntervalSince1970)])
        case ("POST", "/_emulator/stop"):
            guard let number = body["number"]?.stringValue else { return Self.controlAnswer(400, ["error": "number is required"]) }
            let outcome: Result<Bool, APIError> = state.withLock { s in
                do throws(APIError) {
                    return .success(try s.simulateStop(number: number, pool: body["pool"]?.stringValue,
                                                       list: body["optOutList"]?.stringValue, now: now))
                } catch { return .failure(error) }
            }
            switch outcome {
            case .success(let added):
                stats.withLock { $0.stopsSimulated += 1 }
                dirty.store(true, ordering: .relaxed)
                logger.info("simulated STOP reply", ["phone": PhoneMask.mask(number), "added": String(added)])
                return Self.controlAnswer(200, ["added": .bool(added)])
            case .failure(let error):
                return Self.controlAnswer(400, ["error": .string(error.description)])
            }
        case ("POST", "/_emulator/pools"):
            let created: Result<EmulatorState.Pool, APIError> = state.withLock { s in
                do throws(APIError) {
                    return .success(try s.createPool(optOutList: body["optOutListName"]?.stringValue ?? "Default",
                                                     selfManagedOptOuts: body["selfManagedOptOutsEnabled"]?.boolValue ?? false,
                                                     messageType: body["messageType"]?.stringValue ?? "TRANSACTIONAL", now: now))
                } catch { return .failure(error) }
            }
            switch created {
            case .success(let pool):
                dirty.store(true, ordering: .relaxed)
                return Self.encoded(pool)
            case .failure(let error):
                return Self.controlAnswer(400, ["error": .string(error.description)])
            }
        case ("GET", "/_emulator/config"):
            return Self.controlAnswer(200, configuration())
        case ("POST", "/_emulator/config"):
            if let error = configure(body) { return Self.controlAnswer(400, ["error": .string(error)]) }
            return Self.controlAnswer(200, configuration())
        default:
            return Self.controlAnswer(404, ["error": .string("no control endpoint \(request.method) \(request.path)")])
        }
    }

    /// Applies a runtime configuration change (the control surface's `POST /_emulator/config`).
    /// Returns an error message, or nil when applied.
    public func configure(_ body: JSONValue) -> String? {
        var quotas: [String: Double]?
        if let q = body["quotas"]?.objectValue {
            quotas = [:]
            for (op, rate) in q {
                guard Shapes.requests[op] != nil else { return "unknown operation \(op) in quotas" }
                guard let r = rate.numberValue, r > 0 else { return "quota for \(op) must be a positive number" }
                quotas![op] = r
            }
        }
        var kinds: [FaultKind]?
        if let k = body["faultKinds"]?.arrayValue {
            kinds = k.compactMap { $0.stringValue.flatMap(FaultKind.init(rawValue:)) }
            if kinds!.count != k.count { return "faultKinds takes error, drop, slow" }
        }
        if let rate = body["faultRate"]?.numberValue, !(0...1).contains(rate) { return "faultRate must be within 0...1" }
        let now = clock.requestTime().timeIntervalSince1970
        traffic.withLock { t in
            if let quotas { t.quotas = quotas; t.buckets.configure(quotas, now: now) }
            if let v = body["latencyMs"]?.numberValue { t.disturbances.latencyMs = max(0, v) }
            if let v = body["jitterMs"]?.numberValue { t.disturbances.jitterMs = max(0, v) }
            if let v = body["slowMs"]?.numberValue { t.disturbances.slowMs = max(0, v) }
            if let v = body["faultRate"]?.numberValue { t.disturbances.faultRate = v }
            if let kinds { t.disturbances.faultKinds = kinds }
            if let v = body["seed"]?.numberValue { t.disturbances.generator = SplitMix64(seed: UInt64(max(0, v))) }
            if let v = body["accountDisabled"]?.boolValue { t.accountDisabled = v }
        }
        return nil
    }

    func configuration() -> JSONValue {
        traffic.withLock { t in
            ["quotas": .object(t.quotas.mapValues { .number($0) }), "latencyMs": .number(t.disturbances.latencyMs),
             "jitterMs": .number(t.disturbances.jitterMs), "slowMs": .number(t.disturbances.slowMs),
             "faultRate": .number(t.disturbances.faultRate),
             "faultKinds": .array(t.disturbances.faultKinds.map { .string($0.rawValue) }),
             "accountDisabled": .bool(t.accountDisabled)]
        }
    }

    static func controlAnswer(_ status: Int, _ body: JSONValue) -> HTTPServerResponse {
        HTTPServerResponse(status: status, headers: [("Content-Type", "application/json")], body: body.serialized())
    }

    static func encoded<T: Encodable>(_ value: T) -> HTTPServerResponse {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        let data = (try? encoder.encode(value)) ?? Data("{}".utf8)
        return HTTPServerResponse(status: 200, headers: [("Content-Type", "application/json")], body: Array(data))
    }
}
