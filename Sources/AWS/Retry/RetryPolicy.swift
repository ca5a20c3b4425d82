/// The AWS SDK "standard" retry mode as a pure decision: given the attempt that just failed, its class and
/// the shared retry budget, retry after a jittered delay or give up. No clock, no I/O, randomness injected.
public struct RetryPolicy: Sendable, Equatable {
    /// Attempts per request, including the first (config `aws.max_attempts`).
    public var maxAttempts: Int
    /// Backoff base for `.throttling` (SDK: 1 s).
    public var throttlingBase: Duration
    /// Backoff base for `.transient` (SDK: 50 ms).
    public var transientBase: Duration
    /// Upper bound of any delay (SDK: 20 s).
    public var maxBackoff: Duration

    public init(
        maxAttempts: Int = 3,
        throttlingBase: Duration = .seconds(1),
        transientBase: Duration = .milliseconds(50),
        maxBackoff: Duration = .seconds(20)
    ) {
        precondition(maxAttempts >= 1, "maxAttempts counts the first attempt, so it is at least 1")
        self.maxAttempts = maxAttempts
        self.throttlingBase = throttlingBase
        self.transientBase = transientBase
        self.maxBackoff = maxBackoff
    }

    /// The upper end of the jitter window after failed attempt `attempt` (1-based):
    /// `min(base · 2^(attempt-1), maxBackoff)`. The delay is uniform in `[0, ceiling]` (full jitter).
    public func backoffCeiling(attempt: Int, class retryClass: RetryClass) -> Duration {
        let base = retryClass == .throttling ? throttlingBase : transientBase
        let exponent = min(max(attempt - 1, 0), 62)
        let scaled = base.seconds * Double(UInt64(1) << UInt64(exponent))
        return min(Duration.seconds(scaled), maxBackoff)
    }

    /// Decides what to do after attempt number `attempt` (1-based) failed with an error of class `retryClass`.
    /// A retry withdraws its cost from `budget`; the decision carries that cost so that the caller can
    /// refund it if the request eventually succeeds (`RetryBudget.recordSuccess(lastRetryCost:)`).
    public func decide(
        attempt: Int,
        class retryClass: RetryClass,
        budget: inout RetryBudget,
        random: inout some RandomNumberGenerator
    ) -> RetryDecision {
        if retryClass == .permanent { return .giveUp(.notRetryable) }
        if attempt >= maxAttempts { return .giveUp(.maxAttemptsReached) }
        let cost = RetryBudget.cost(of: retryClass)
        guard budget.withdraw(cost) else { return .giveUp(.retryBudgetExhausted) }
        let ceiling = backoffCeiling(attempt: attempt, class: retryClass)
        // Uniform in [0, 1): the top 53 bits of one draw (explicit, so a fixed generator gives exact delays).
        let fraction = Double(random.next() >> 11) * 0x1p-53
        return .retry(after: .seconds(ceiling.seconds * fraction), cost: cost)
    }
}

public enum RetryDecision: Sendable, Equatable {
    /// Sleep this long, then try again. `cost` was withdrawn from the retry budget.
    case retry(after: Duration, cost: Int)
    case giveUp(GiveUpReason)
}

public enum GiveUpReason: String, Sendable, Equatable, CustomStringConvertible {
    /// The error is not worth retrying (validation, access denied, not found, unknown errors).
    case notRetryable = "not retryable"
    /// `maxAttempts` attempts were made.
    case maxAttemptsReached = "max attempts reached"
    /// The shared retry budget is empty: the service is failing broadly, retries would only add load.
    case retryBudgetExhausted = "retry budget exhausted"

    public var description: String { rawValue }
}

/// The SDK standard mode's retry quota: a token bucket of 500 shared by all requests of a client.
/// A retry costs 5 after throttling and 14 after any other retryable error; with no capacity left,
/// requests are not retried. Refunds follow botocore (`RetryQuotaChecker.release_retry_quota`) and the
/// SDKs' standard-mode spec: a request that succeeded on its first attempt refunds 1; a request that
/// succeeded after retries refunds the cost of its last retry. Capacity never exceeds the maximum.
public struct RetryBudget: Sendable, Equatable {
    public static let defaultCapacity = 500
    public static let throttlingRetryCost = 5
    public static let retryCost = 14
    public static let noRetryRefund = 1

    public let capacity: Int
    public private(set) var available: Int

    public init(capacity: Int = RetryBudget.defaultCapacity) {
        self.capacity = capacity
        self.available = capacity
    }

    public static func cost(of retryClass: RetryClass) -> Int {
        retryClass == .throttling ? throttlingRetryCost : retryCost
    }

    /// Takes `cost` if available; false (and nothing taken) otherwise.
    public mutating func withdraw(_ cost: Int) -> Bool {
        guard cost <= available else { return false }
        available -= cost
        return true
    }

    /// A request succeeded. `lastRetryCost` is the cost of its last retry, nil if it never retried.
    public mutating func recordSuccess(lastRetryCost: Int?) {
        available = min(capacity, available + (lastRetryCost ?? RetryBudget.noRetryRefund))
    }
}

extension Duration {
    /// The duration in seconds as a `Double` (for rate and backoff arithmetic).
    var seconds: Double {
        let (whole, atto) = components
        return Double(whole) + Double(atto) * 1e-18
    }
}
