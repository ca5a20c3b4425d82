/// How the retry policy treats a failed attempt (AWS SDK "standard" mode).
public enum RetryClass: Sendable, Equatable {
    /// `ThrottlingException` and friends: retry with the throttling backoff base (1 s); feeds the adaptive limiter.
    case throttling
    /// HTTP 500/502/503/504, connection errors, timeouts: retry with the transient base (50 ms).
    case transient
    /// Anything else (validation, not found, access denied): do not retry.
    case permanent
}

/// Errors that know how they should be retried.
public protocol RetryClassifiable: Error {
    var retryClass: RetryClass { get }
}

extension TransportError: RetryClassifiable {
    public var retryClass: RetryClass { kind == .cancelled ? .permanent : .transient }
}
