import AWS
import Foundation
import Logging
import TestSupport
import Testing

/// The retry loop and the limiter around the real `SMSVoiceClient`, composed as `OptOutSync.AWSGateway` does:
/// `AWSServiceError`'s classification drives both the backoff and the adaptive rate.
@Suite("Retries and the rate limiter around the SMS Voice client")
struct RetryLimiterClientTests {
    static let putResult = #"{"OptOutListArn":"arn:aws:sms-voice:eu-west-1:111122223333:opt-out-list/ol-1","OptOutListName":"cards","OptedOutNumber":"+12065550100","OptedOutTimestamp":1764763200,"EndUserOptedOut":false}"#
    static let key = RateLimitKey(account: "111122223333", region: "eu-west-1", operation: "PutOptedOutNumber")

    struct Harness {
        let client: SMSVoiceClient
        let limiter: RateLimiter
        let budget = SharedRetryBudget()
        let clock: ManualClock

        init(_ service: ScriptedService, clock: ManualClock, sink: MemorySink = MemorySink()) {
            client = SMSVoiceClient(
                endpoint: URL(string: "https://sms-voice.eu-west-1.amazonaws.com")!, region: "eu-west-1",
                credentials: StaticCredentialProvider(Credentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "secret")), transport: service.transport, logger: Logger(sink: sink, level: .debug)
            )
            limiter = RateLimiter(configuration: RateLimitConfiguration(rates: ["PutOptedOutNumber": 10]), clock: clock)
            self.clock = clock
        }

        func call<T>(_ operation: String, lane: Lane, _ attempt: (SMSVoiceClient) async throws -> T) async throws -> T {
            let key = RateLimitKey(account: "111122223333", region: client.region, operation: operation)
            return try await withRetries(operation: operation, policy: RetryPolicy(), budget: budget, clock: clock,
                                         logger: client.logger.with("bu", "cards")) { _ in
                try await limiter.run(key: key, lane: lane, bu: "cards") { try await attempt(client) }
            }
        }

        func put() async throws -> OptedOutNumberResult {
            try await call("PutOptedOutNumber", lane: .live) { try await $0.putOptedOutNumber(listName: "cards", number: "+12065550100") }
        }
    }

    /// Advances the manual clock by `step` whenever something sleeps on it, until `task` is done.
    static func drive<T: Sendable>(_ clock: ManualClock, _ task: Task<T, any Error>, step: Duration = .seconds(2)) async throws -> T {
        let done = Shared(false)
        let watcher = Task {
            defer { done.withLock { $0 = true } }
            return try await task.value
        }
        for _ in 0..<50 where !done.withLock({ $0 }) {
            await clock.waitForSleepers(1, maxYields: 10_000)
            clock.advance(by: step)
        }
        return try await watcher.value
    }

    @Test func throttledAttemptsAreRetriedThroughTheLimiterWhichSlowsDown() async throws {
        let service = ScriptedService { _, index in
            index < 2
                ? ScriptedService.json(400, #"{"__type":"com.amazonaws.pinpointsmsvoicev2#ThrottlingException","message":"Rate exceeded"}"#)
                : ScriptedService.json(200, Self.putResult)
        }
        let clock = ManualClock()
        let sink = MemorySink()
        let resilient = Harness(service, clock: clock, sink: sink)
        let task = Task { try await resilient.put() }
        let result = try await Self.drive(clock, task)
        #expect(result.optOutListName == "cards")
        #expect(service.seen.count == 3)
        let snapshot = resilient.limiter.snapshot(for: Self.key)
        #expect(snapshot.granted == 3)
        #expect(snapshot.throttled == 2)
        #expect(snapshot.rate < 10)
        #expect(resilient.limiter.inFlight == 0)
        #expect(resilient.budget.available == 500 - 5 - 5 + 5)
        let retries = sink.all.filter { $0.message == "retrying AWS request" }
        #expect(retries.map { $0.metadata["retry.class"] } == ["throttling", "throttling"])
        #expect(retries.allSatisfy { $0.metadata["bu"] == "cards" && $0.metadata["aws.operation"] == "PutOptedOutNumber" })
    }

    @Test func aValidationErrorIsNotRetriedAndNamesTheAttemptCount() async throws {
        let service = ScriptedService { _, _ in
            ScriptedService.json(400, #"{"__type":"ValidationException","message":"bad number","Reason":"INVALID_PARAMETER"}"#)
        }
        let clock = ManualClock()
        let resilient = Harness(service, clock: clock)
        let error = await #expect(throws: RetryFailure.self) { try await resilient.put() }
        #expect(error?.attempts == 1)
        #expect(error?.reason == .notRetryable)
        #expect((error?.underlying as? AWSServiceError)?.code == "ValidationException")
        #expect(service.seen.count == 1)
        #expect(resilient.limiter.snapshot(for: Self.key).throttled == 0)
        #expect(resilient.limiter.inFlight == 0)
    }

}
