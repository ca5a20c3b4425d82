import AWS
import Logging

/// The one road to AWS for every service: each attempt waits for the shared rate limiter (per
/// account, region and operation; priority lane; fair between BUs), and failed attempts are retried
/// under the SDK's standard policy and retry budget. Throttled attempts feed the adaptive rate.
public struct AWSGateway: Sendable {
    public let limiter: RateLimiter
    public let policy: RetryPolicy
    public let budget: SharedRetryBudget
    public let clock: any Clock<Duration>
    public let logger: Logger

    public init(limiter: RateLimiter, policy: RetryPolicy, budget: SharedRetryBudget = SharedRetryBudget(),
                clock: any Clock<Duration>, logger: Logger) {
        self.limiter = limiter
        self.policy = policy
        self.budget = budget
        self.clock = clock
        self.logger = logger
    }

    public func call<T: Sendable>(_ operation: String, target: AWSTarget, lane: Lane, bu: String,
                                  _ body: @Sendable () async throws -> T) async throws -> T {
        let key = RateLimitKey(account: target.account, region: target.region, operation: operation)
        return try await withRetries(operation: operation, policy: policy, budget: budget, clock: clock,
                                     logger: logger.with("bu", bu)) { _ in
            try await limiter.run(key: key, lane: lane, bu: bu) { try await body() }
        }
    }
}

/// Where a BU's opt-out list lives: the client for its region and credentials, the list, and the
/// account whose quotas it shares.
public struct AWSTarget: Sendable {
    public var client: SMSVoiceClient
    public var listName: String
    public var account: String
    public var region: String

    public init(client: SMSVoiceClient, listName: String, account: String, region: String) {
        self.client = client
        self.listName = listName
        self.account = account
        self.region = region
    }
}

/// The AWS error code of a failure, looking through the retry wrapper.
public func awsErrorCode(_ error: any Error) -> (code: String, reason: String)? {
    let underlying = (error as? RetryFailure)?.underlying ?? error
    if let service = underlying as? AWSServiceError {
        return (service.code, service.reason ?? service.message.map(AWSServiceError.maskingPhoneNumbers) ?? service.code)
    }
    if let credentials = underlying as? CredentialError, credentials.isAccessDenied {
        return ("AccessDenied", "\(credentials)")
    }
    if let sts = underlying as? STSError, sts.isAccessDenied { return ("AccessDenied", "\(sts)") }
    return nil
}

