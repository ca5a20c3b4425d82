import Logging
import Synchronization

/// The retry budget shared by every request of one client (one per AWS account and region, like an SDK client).
public final class SharedRetryBudget: Sendable {
    private let budget: Mutex<RetryBudget>

    public init(_ budget: RetryBudget = RetryBudget()) {
        self.budget = Mutex(budget)
    }

    public var available: Int { budget.withLock { $0.available } }

    func withLock<T>(_ body: (inout RetryBudget) -> T) -> T {
        budget.withLock { body(&$0) }
    }
}

/// The error `withRetries` throws when it stops: the last attempt's error, how many attempts were made and why
/// it stopped. Its retry class is the underlying error's, so callers can still tell throttling from the rest.
public struct RetryFailure: Error, RetryClassifiable, CustomStringConvertible {
    public var operation: String
    public var attempts: Int
    public var reason: GiveUpReason
    public var underlying: any Error

    public init(operation: String, attempts: Int, reason: GiveUpReason, underlying: any Error) {
        self.operation = operation
        self.attempts = attempts
        self.reason = reason
        self.underlying = underlying
    }

    public var retryClass: RetryClass { RetryClass.of(underlying) }

    public var description: String {
        "\(operation) failed after \(attempts) attempt\(attempts == 1 ? "" : "s") (\(reason)): \(underlying)"
    }
}

extension RetryClass {
    /// The class of any error: `RetryClassifiable` errors say it themselves, everything else is permanent.
    public static func of(_ error: any Error) -> RetryClass {
        (error as? any RetryClassifiable)?.retryClass ?? .permanent
    }
}

/// Runs `attempt` (given the 1-based attempt number) until it succeeds or `policy` gives up, sleeping the
/// jittered backoff through `clock`. Cancellation is not retried: a `CancellationError` (from the attempt or
/// from the sleep) is rethrown as is. Any other final error is wrapped in `RetryFailure`.
public func withRetries<T, R: RandomNumberGenerator>(
    operation: String,
    policy: RetryPolicy,
    budget: SharedRetryBudget,
    clock: any Clock<Duration>,
    logger: Logger = .disabled,
    random: R = SystemRandomNumberGenerator(),
    _ attempt: (Int) async throws -> T
) async throws -> T {
    var random = random
    var lastRetryCost: Int?
    var number = 1
    while true {
        try Task.checkCancellation()
        do {
            let value = try await attempt(number)
            budget.withLock { $0.recordSuccess(lastRetryCost: lastRetryCost) }
            return value
        } catch let error as CancellationError {
            throw error
        } catch {
            let retryClass = RetryClass.of(error)
            let decision = budget.withLock { policy.decide(attempt: number, class: retryClass, budget: &$0, random: &random) }
            switch decision {
            case .giveUp(let reason):
                logger.debug("giving up AWS request", [
                    "aws.operation": operation, "retry.attempt": "\(number)", "retry.reason": reason.description,
                ])
                throw RetryFailure(operation: operation, attempts: number, reason: reason, underlying: error)
            case .retry(let delay, let cost):
                logger.debug("retrying AWS request", [
                    "aws.operation": operation, "retry.attempt": "\(number)", "retry.class": "\(retryClass)",
                    "retry.delay_ms": "\(Int((delay.seconds * 1000).rounded()))", "error": "\(error)",
                ])
                lastRetryCost = cost
                try await clock.sleep(for: delay)
                number += 1
            }
        }
    }
}
