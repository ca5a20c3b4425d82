/// A token bucket on a time axis of `Duration` since the limiter started. Pure: time is passed in.
struct TokenBucket: Sendable {
    /// Tokens closer to a whole than this count as whole (floating-point refill must not leave a sleeper
    /// waiting for a nanosecond that a manual clock will never advance).
    static let epsilon = 1e-9
    /// botocore's floor for an adaptive rate.
    static let minimumRate = 0.5

    private(set) var rate: Double
    private(set) var capacity: Double
    private(set) var tokens: Double
    private(set) var lastRefill: Duration
    let burstSeconds: Double

    init(rate: Double, burst: Duration, now: Duration) {
        self.burstSeconds = burst.seconds
        self.rate = rate
        self.capacity = Self.capacity(rate: rate, burstSeconds: burstSeconds)
        self.tokens = capacity
        self.lastRefill = now
    }

    private static func capacity(rate: Double, burstSeconds: Double) -> Double { max(1, rate * burstSeconds) }

    mutating func refill(now: Duration) {
        guard now > lastRefill else { return }
        tokens = min(capacity, tokens + (now - lastRefill).seconds * rate)
        lastRefill = now
    }

    /// Whether a whole token is available (call `refill` first).
    var hasToken: Bool { tokens >= 1 - Self.epsilon }

    mutating func take() {
        tokens = max(0, tokens - 1)
    }

    /// When the next whole token will be there, rounded up to the nanosecond.
    var nextTokenTime: Duration {
        if hasToken { return lastRefill }
        let nanoseconds = ((1 - tokens) / rate * 1e9).rounded(.up)
        return lastRefill + .nanoseconds(Int64(nanoseconds))
    }

    /// Changes the rate from `now` on: tokens earned so far at the old rate are kept, up to the new depth.
    mutating func setRate(_ newRate: Double, now: Duration) {
        refill(now: now)
        rate = max(newRate, Self.minimumRate)
        capacity = Self.capacity(rate: rate, burstSeconds: burstSeconds)
        tokens = min(tokens, capacity)
    }
}
