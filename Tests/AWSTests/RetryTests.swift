import Hashing
@testable import AWS
import Logging
import Synchronization
import TestSupport
import Testing

/// A generator whose `Double.random(in: 0..<1)` is exactly 0.5: jitter lands mid-window, delays are exact.
struct HalfRandom: RandomNumberGenerator {
    mutating func next() -> UInt64 { 1 << 63 }
}

struct FakeAWSError: RetryClassifiable, CustomStringConvertible {
    var retryClass: RetryClass
    var description: String { "fake \(retryClass) error" }
}

struct UnknownError: Error {}

func approximatelyEqual(_ a: Duration, _ b: Duration, within tolerance: Duration = .microseconds(1)) -> Bool {
    abs((a - b).inSeconds) <= tolerance.inSeconds
}

@Suite("Retry policy (SDK standard mode)")
struct RetryPolicyTests {
    let policy = RetryPolicy()

    @Test func backoffCeilingsDoubleFromTheirBaseAndStopAtTwentySeconds() {
        let throttling = (1...8).map { policy.backoffCeiling(attempt: $0, class: .throttling) }
        #expect(throttling == [1, 2, 4, 8, 16, 20, 20, 20].map { Duration.seconds($0) })
        let transient = (1...4).map { policy.backoffCeiling(attempt: $0, class: .transient) }
        for (got, want) in zip(transient, [0.05, 0.1, 0.2, 0.4]) {
            #expect(approximatelyEqual(got, .seconds(want)))
        }
        #expect(policy.backoffCeiling(attempt: 100, class: .transient) == .seconds(20))
    }

    @Test func delaysAreTheJitterFractionOfTheCeiling() {
        let policy = RetryPolicy(maxAttempts: 10)
        var budget = RetryBudget(capacity: 10_000)
        var random = HalfRandom()
        let delays: [Duration] = (1...9).map { attempt in
            guard case .retry(let delay, let cost) = policy.decide(attempt: attempt, class: .throttling, budget: &budget, random: &random) else {
                Issue.record("attempt \(attempt) should be retried")
                return .zero
            }
            #expect(cost == 5)
            return delay
        }
        #expect(delays == [0.5, 1, 2, 4, 8, 10, 10, 10, 10].map { Duration.seconds($0) })
        var random2 = HalfRandom()
        let transient = policy.decide(attempt: 2, class: .transient, budget: &budget, random: &random2)
        guard case .retry(let delay, let cost) = transient else { Issue.record("transient should retry"); return }
        #expect(approximatelyEqual(delay, .milliseconds(50)))
        #expect(cost == 14)
    }

    @Test func fullJitterSpreadsDelaysUniformlyOverTheWindow() {
        var budget = RetryBudget(capacity: 1_000_000)
        var random = SplitMix64(seed: 42)
        let seconds: [Double] = (0..<10_000).compactMap { _ in
            guard case .retry(let delay, _) = policy.decide(attempt: 2, class: .throttling, budget: &budget, random: &random) else { return nil }
            return delay.inSeconds
        }
        #expect(seconds.count == 10_000)
        #expect(seconds.allSatisfy { $0 >= 0 && $0 < 2 })
        let mean = seconds.reduce(0, +) / Double(seconds.count)
        #expect(abs(mean - 1) < 0.03)
        #expect(seconds.min()! < 0.01 && seconds.max()! > 1.99)
        #expect(seconds.filter { $0 < 1 }.count > 4_800 && seconds.filter { $0 < 1 }.count < 5_200)
    }

    @Test func givesUpAfterMaxAttemptsAndOnPermanentErrorsWithoutSpendingBudget() {
        var budget = RetryBudget()
        var random = SplitMix64(seed: 1)
        #expect(policy.decide(attempt: 3, class: .throttling, budget: &budget, random: &random) == .giveUp(.maxAttemptsReached))
        #expect(policy.decide(attempt: 1, class: .permanent, budget: &budget, random: &random) == .giveUp(.notRetryable))
        #expect(budget.available == 500)
        guard case .retry = policy.decide(attempt: 2, class: .transient, budget: &budget, random: &random) else {
            Issue.record("attempt 2 of 3 should be retried"); return
        }
        #expect(budget.available == 486)
    }

    @Test func retryBudgetAllowsOneHundredThrottlingRetriesThenStops() {
        var budget = RetryBudget()
        var random = SplitMix64(seed: 7)
        var retries = 0
        while case .retry = policy.decide(attempt: 1, class: .throttling, budget: &budget, random: &random) { retries += 1 }
        #expect(retries == 100)
        #expect(budget.available == 0)
        #expect(policy.decide(attempt: 1, class: .throttling, budget: &budget, random: &random) == .giveUp(.retryBudgetExhausted))
    }

    @Test func transientRetriesCostFourteenAndThrottlingStillFitsTheRemainder() {
        var budget = RetryBudget()
        var random = SplitMix64(seed: 7)
        var retries = 0
        while case .retry = policy.decide(attempt: 1, class: .transient, budget: &budget, random: &random) { retries += 1 }
        #expect(retries == 35)          // 35 × 14 = 490
        #expect(budget.available == 10)
        #expect(policy.decide(attempt: 1, class: .transient, budget: &budget, random: &random) == .giveUp(.retryBudgetExhausted))
        guard case .retry(_, 5) = policy.decide(attempt: 1, class: .throttling, budget: &budget, random: &random) else {
            Issue.record("a throttling retry costs 5 and 10 are left"); return
        }
        #expect(budget.available == 5)
    }

    @Test func successRefundsOneOrTheLastRetryCostUpToCapacity() {
        var budget = RetryBudget()
        #expect(budget.withdraw(14) && budget.withdraw(14) && budget.withdraw(5))
        #expect(budget.available == 467)
        budget.recordSuccess(lastRetryCost: nil)
        #expect(budget.available == 468)
        budget.recordSuccess(lastRetryCost: 14)
        #expect(budget.available == 482)
        for _ in 0..<10 { budget.recordSuccess(lastRetryCost: 5) }
        #expect(budget.available == 500)
        let overdrawn = budget.withdraw(501)
        #expect(!overdrawn)
        #expect(budget.available == 500)
    }
}

@Suite("Retry loop")
struct RetryLoopTests {
    @Test func sleepsTheBackoffOnTheInjectedClockAndLogsEachRetry() async throws {
        let clock = ManualClock()
        let budget = SharedRetryBudget()
        let sink = MemorySink()
        let attempts = Mutex<[Int]>([])
        let task = Task {
            try await withRetries(
                operation: "PutOptedOutNumber", policy: RetryPolicy(), budget: budget, clock: clock,
                logger: Logger(sink: sink, level: .debug), random: HalfRandom()
            ) { attempt in
                attempts.withLock { $0.append(attempt) }
                if attempt < 3 { throw TransportError(kind: .timeout, endpoint: "sms-voice.us-east-1.amazonaws.com/", detail: "timed out") }
                return "ok after \(attempt)"
            }
        }
        await clock.waitForSleepers(1)
        #expect(attempts.withLock { $0 } == [1])
        clock.advance(by: .milliseconds(24))
        #expect(clock.sleeperCount == 1)        // 25 ms = half of the 50 ms window: not yet
        clock.advance(by: .milliseconds(1))
        await clock.waitForSleepers(1)
        #expect(attempts.withLock { $0 } == [1, 2])
        clock.advance(by: .milliseconds(49))
        #expect(clock.sleeperCount == 1)
        clock.advance(by: .milliseconds(1))
        #expect(try await task.value == "ok after 3")
        #expect(attempts.withLock { $0 } == [1, 2, 3])
        #expect(budget.available == 500 - 14 - 14 + 14)  // the success refunds the last retry's cost

        let retries = sink.all.filter { $0.message == "retrying AWS request" }
        #expect(retries.count == 2)
        #expect(retries.allSatisfy { $0.level == .debug && $0.metadata["aws.operation"] == "PutOptedOutNumber" })
        #expect(retries.map { $0.metadata["retry.attempt"] } == ["1", "2"])
        #expect(retries.map { $0.metadata["retry.delay_ms"] } == ["25", "50"])
        #expect(retries.map { $0.metadata["retry.class"] } == ["transient", "transient"])
    }

    @Test func theFinalErrorCarriesTheAttemptCountAndTheUnderlyingError() async throws {
        let clock = ManualClock()
        let budget = SharedRetryBudget()
        let task = Task {
            try await withRetries(operation: "DeleteOptedOutNumber", policy: RetryPolicy(maxAttempts: 3), budget: budget, clock: clock, random: HalfRandom()) { _ in
                throw FakeAWSError(retryClass: .throttling)
            }
        }
        await clock.waitForSleepers(1)
        clock.advance(by: .milliseconds(500))
        await clock.waitForSleepers(1)
        clock.advance(by: .seconds(1))
        let error = await #expect(throws: RetryFailure.self) { try await task.value }
        #expect(error?.attempts == 3)
        #expect(error?.reason == .maxAttemptsReached)
        #expect(error?.retryClass == .throttling)
        #expect(error?.underlying is FakeAWSError)
        #expect(error?.description == "DeleteOptedOutNumber failed after 3 attempts (max attempts reached): fake throttling error")
        #expect(budget.available == 490)
    }

    @Test func unknownErrorsArePermanentAndNotRetried() async throws {
        let clock = ManualClock()
        let calls = Mutex(0)
        let error = await #expect(throws: RetryFailure.self) {
            try await withRetries(operation: "DescribeOptOutLists", policy: RetryPolicy(), budget: SharedRetryBudget(), clock: clock) { _ -> Int in
                calls.withLock { $0 += 1 }
                throw UnknownError()
            }
        }
        #expect(calls.withLock { $0 } == 1)
        #expect(error?.attempts == 1)
        #expect(error?.reason == .notRetryable)
        #expect(clock.sleeperCount == 0)
    }

    @Test func anEmptyBudgetStopsRetriesAtOnce() async throws {
        let budget = SharedRetryBudget(RetryBudget(capacity: 13))
        let error = await #expect(throws: RetryFailure.self) {
            try await withRetries(operation: "PutOptedOutNumber", policy: RetryPolicy(), budget: budget, clock: ManualClock()) { _ -> Int in
                throw FakeAWSError(retryClass: .transient)
            }
        }
        #expect(error?.reason == .retryBudgetExhausted)
        #expect(error?.attempts == 1)
    }

    @Test func cancellationDuringBackoffStopsWithoutAnotherAttempt() async throws {
        let clock = ManualClock()
        let calls = Mutex(0)
        let task = Task {
            try await withRetries(operation: "PutOptedOutNumber", policy: RetryPolicy(), budget: SharedRetryBudget(), clock: clock) { _ -> Int in
                calls.withLock { $0 += 1 }
                throw FakeAWSError(retryClass: .throttling)
            }
        }
        await clock.waitForSleepers(1)
        task.cancel()
        await #expect(throws: CancellationError.self) { try await task.value }
        #expect(calls.withLock { $0 } == 1)
        #expect(clock.sleeperCount == 0)
    }

    @Test func cancellationFromTheAttemptIsRethrownAsIs() async throws {
        await #expect(throws: CancellationError.self) {
            try await withRetries(operation: "PutOptedOutNumber", policy: RetryPolicy(), budget: SharedRetryBudget(), clock: ManualClock()) { _ -> Int in
                throw CancellationError()
            }
        }
    }
}
