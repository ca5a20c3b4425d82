import Logging

/// `SMSVoiceClient` as the services use it: each attempt waits for the rate limiter (per account, region and
/// operation; lane and BU decide who goes first), and failures are retried by the SDK standard policy.
/// Throttled attempts lower the limiter's rate (adaptive mode); the retry budget is shared by all calls.
public struct ResilientSMSVoiceClient: Sendable {
    public let client: SMSVoiceClient
    /// The AWS account id the client's credentials belong to (quotas are per account).
    public let account: String
    public let limiter: RateLimiter
    public let policy: RetryPolicy
    public let budget: SharedRetryBudget
    private let clock: any Clock<Duration>

    public init(
        client: SMSVoiceClient, account: String, limiter: RateLimiter, policy: RetryPolicy = RetryPolicy(),
        budget: SharedRetryBudget = SharedRetryBudget(), clock: any Clock<Duration> = ContinuousClock()
    ) {
        self.client = client
        self.account = account
        self.limiter = limiter
        self.policy = policy
        self.budget = budget
        self.clock = clock
    }

    /// Runs `attempt` (one call of `client` for `operation`) with a permit per attempt and retries.
    /// Throws `RetryFailure` (the last error and the attempt count) or `CancellationError`.
    public func call<T>(_ operation: String, lane: Lane, bu: String, _ attempt: (SMSVoiceClient) async throws -> T) async throws -> T {
        let key = RateLimitKey(account: account, region: client.region, operation: operation)
        let logger = client.logger.with("bu", bu)
        return try await withRetries(operation: operation, policy: policy, budget: budget, clock: clock, logger: logger) { _ in
            try await limiter.run(key: key, lane: lane, bu: bu) { try await attempt(client) }
        }
    }

    /// A paginated scan; every page is its own rate-limited, retried call.
    public func pages<Page: Sendable>(
        _ operation: String, lane: Lane, bu: String,
        _ fetch: @escaping @Sendable (SMSVoiceClient, _ nextToken: String?) async throws -> (page: Page, nextToken: String?)
    ) -> AWSPages<Page> {
        AWSPages { token in try await call(operation, lane: lane, bu: bu) { try await fetch($0, token) } }
    }

    public func putOptedOutNumber(listName: String, number: String, lane: Lane, bu: String) async throws -> OptedOutNumberResult {
        try await call("PutOptedOutNumber", lane: lane, bu: bu) { try await $0.putOptedOutNumber(listName: listName, number: number) }
    }

    public func deleteOptedOutNumber(listName: String, number: String, lane: Lane, bu: String) async throws -> OptedOutNumberResult {
        try await call("DeleteOptedOutNumber", lane: lane, bu: bu) { try await $0.deleteOptedOutNumber(listName: listName, number: number) }
    }

    /// Every page of a list, 100 numbers per request by default.
    public func optedOutNumbers(
        list listName: String, endUserOptedOutOnly: Bool = false, pageSize: Int = 100, lane: Lane, bu: String
    ) -> AWSPages<DescribeOptedOutNumbersOutput> {
        pages("DescribeOptedOutNumbers", lane: lane, bu: bu) { client, token in
            let page = try await client.describeOptedOutNumbers(DescribeOptedOutNumbersInput(
                optOutListName: listName, filters: endUserOptedOutOnly ? [.endUserOptedOut] : nil,
                nextToken: token, maxResults: pageSize))
            return (page, page.nextToken)
        }
    }
}
