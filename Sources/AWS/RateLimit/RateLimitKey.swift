/// AWS quotas are per account, per region, per operation: one token bucket per key, shared by every BU.
public struct RateLimitKey: Hashable, Sendable, CustomStringConvertible {
    public var account: String
    public var region: String
    public var operation: String

    public init(account: String, region: String, operation: String) {
        self.account = account
        self.region = region
        self.operation = operation
    }

    public var description: String { "\(account)/\(region)/\(operation)" }
}

/// Priority lanes, strict between lanes: a waiting live request is always served before repair and backfill.
public enum Lane: Int, Sendable, Comparable, CaseIterable, CustomStringConvertible {
    case live = 0, repair, backfill

    public static func < (a: Lane, b: Lane) -> Bool { a.rawValue < b.rawValue }

    public var description: String {
        switch self {
        case .live: "live"
        case .repair: "repair"
        case .backfill: "backfill"
        }
    }
}

/// Limiter settings (config `aws.max_in_flight`, `aws.rate_limits`, `aws.adaptive`).
public struct RateLimitConfiguration: Sendable, Equatable {
    /// AWS's published default quotas where known (spec/config.md); requests per second.
    public static let defaultRates: [String: Double] = [
        "PutOptedOutNumber": 10, "DeleteOptedOutNumber": 10, "DescribeOptedOutNumbers": 1,
        "DescribeOptOutLists": 1, "CreateOptOutList": 1, "DeleteOptOutList": 1, "UpdatePool": 1,
    ]

    /// Requests per second per operation name; operations not listed get `defaultRate`.
    public var rates: [String: Double]
    public var defaultRate: Double
    /// Requests granted but not yet completed, across all keys.
    public var maxInFlight: Int
    /// Lower the rate on throttling and probe back up (CUBIC, as the SDKs' adaptive mode).
    public var adaptive: Bool
    /// Bucket depth as time at the current rate (at least one token). Keep it at 1 s or less:
    /// a client burst above the service's own bucket is throttled.
    public var burst: Duration

    public init(
        rates: [String: Double] = RateLimitConfiguration.defaultRates,
        defaultRate: Double = 1,
        maxInFlight: Int = 64,
        adaptive: Bool = true,
        burst: Duration = .seconds(1)
    ) {
        precondition(maxInFlight >= 1, "maxInFlight must be at least 1")
        precondition(defaultRate > 0 && rates.values.allSatisfy { $0 > 0 }, "rates must be positive")
        self.rates = rates
        self.defaultRate = defaultRate
        self.maxInFlight = maxInFlight
        self.adaptive = adaptive
        self.burst = burst
    }

    public func rate(for key: RateLimitKey) -> Double { rates[key.operation] ?? defaultRate }
}
