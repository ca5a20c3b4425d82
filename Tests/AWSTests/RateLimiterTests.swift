@testable import AWS
import Synchronization
import TestSupport
import Testing

/// Shared mutable test state for many tasks (a `Mutex` in a class, so closures capture a reference).
final class Shared<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>
    init(_ value: Value) { mutex = Mutex(value) }
    func withLock<T>(_ body: (inout Value) -> T) -> T { mutex.withLock { body(&$0) } }
}

/// Yields until `condition` holds (tasks on the cooperative pool get to run); never waits in real time.
func eventually(_ what: String, maxYields: Int = 1_000_000, _ condition: () -> Bool) async {
    var yields = 0
    while !condition() {
        if yields >= maxYields { Issue.record("timed out waiting for \(what)"); return }
        await Task.yield()
        yields += 1
    }
}

@Suite("Rate limiter on a manual clock")
struct RateLimiterTests {
    static let key = RateLimitKey(account: "111122223333", region: "eu-west-1", operation: "PutOptedOutNumber")

    static func limiter(_ clock: ManualClock, rate: Double = 10, maxInFlight: Int = 100_000, adaptive: Bool = false) -> RateLimiter {
        RateLimiter(
            configuration: RateLimitConfiguration(rates: [key.operation: rate], maxInFlight: maxInFlight, adaptive: adaptive, burst: .milliseconds(100)),
            clock: clock
        )
    }

    @Test func aLiveRequestOvertakesTwoThousandQueuedBackfillRequestsWithinOneTokenInterval() async throws {
        let clock = ManualClock()
        let limiter = Self.limiter(clock)
        let backfillGranted = Shared(0)
        let backfill = Task {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for n in 0..<2_000 {
                    group.addTask {
                        let permit = try await limiter.acquire(key: Self.key, lane: .backfill, bu: n % 2 == 0 ? "cards" : "loans")
                        backfillGranted.withLock { $0 += 1 }
                        limiter.complete(permit, throttled: false)
                    }
                }
                try await group.waitForAll()
            }
        }
        await eventually("2,000 backfill requests queued or granted") { limiter.snapshot(for: Self.key).queued == 1_999 }
        await eventually("the first backfill request done") { backfillGranted.withLock { $0 } == 1 }
        await clock.waitForSleepers(1)
        clock.advance(by: .milliseconds(30))
        let arrival = clock.now
        let live = Task {
            let permit = try await limiter.acquire(key: Self.key, lane: .live, bu: "loans")
            limiter.complete(permit, throttled: false)
            return clock.now
        }
        await eventually("the live request queued") { limiter.snapshot(for: Self.key).queued == 2_000 }
        clock.advance(by: .milliseconds(70))
        let granted = try await live.value
        #expect(arrival.duration(to: granted) <= .milliseconds(100))
        #expect(backfillGranted.withLock { $0 } == 1)
        #expect(limiter.snapshot(for: Self.key).queued == 1_999)
        backfill.cancel()
        await #expect(throws: CancellationError.self) { try await backfill.value }
        #expect(limiter.snapshot(for: Self.key).queued == 0)
        #expect(limiter.inFlight == 0)
    }

    @Test func twoBUsWithTenfoldDifferentBacklogsGetEqualSharesThroughTheShell() async throws {
        let clock = ManualClock()
        let limiter = Self.limiter(clock)
        let grantedByBU = Shared<[String: Int]>([:])
        let work = Task {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for (bu, count) in [("big", 1_000), ("small", 100)] {
                    for _ in 0..<count {
                        group.addTask {
                            try await limiter.run(key: Self.key, lane: .backfill, bu: bu) {
                                grantedByBU.withLock { $0[bu, default: 0] += 1 }
                            }
                        }
                    }
                }
                try await group.waitForAll()
            }
        }
        await eventually("1,100 requests queued or granted") { limiter.snapshot(for: Self.key).queued + limiter.snapshot(for: Self.key).granted == 1_100 }
        for _ in 0..<200 {
            await clock.waitForSleepers(1)
            clock.advance(by: .milliseconds(100))
        }
        await eventually("201 grants recorded") { grantedByBU.withLock { $0.values.reduce(0, +) } == 201 }
        let shares = grantedByBU.withLock { $0 }
        #expect(abs(shares["big", default: 0] - shares["small", default: 0]) <= 1)
        #expect(shares["small", default: 0] >= 100)
        work.cancel()
        _ = try? await work.value
    }

    @Test func aCancelledWaiterLeaksNeitherATokenNorASlot() async throws {
        let clock = ManualClock()
        let limiter = Self.limiter(clock)
        let first = try await limiter.acquire(key: Self.key, lane: .backfill, bu: "cards")   // the bucket's one token
        let cancelled = Task { try await limiter.acquire(key: Self.key, lane: .backfill, bu: "cards") }
        await eventually("the second request queued") { limiter.snapshot(for: Self.key).queued == 1 }
        cancelled.cancel()
        await #expect(throws: CancellationError.self) { try await cancelled.value }
        #expect(limiter.snapshot(for: Self.key).queued == 0)
        #expect(limiter.inFlight == 1)

        let next = Task { try await limiter.acquire(key: Self.key, lane: .backfill, bu: "loans") }
        await eventually("the third request queued") { limiter.snapshot(for: Self.key).queued == 1 }
        await clock.waitForSleepers(1)
        clock.advance(by: .milliseconds(100))
        let permit = try await next.value
        #expect(clock.now.offset == .milliseconds(100))   // the token of 100 ms, not a later one
        #expect(limiter.snapshot(for: Self.key).granted == 2)
        limiter.complete(first, throttled: false)
        limiter.complete(permit, throttled: false)
        #expect(limiter.inFlight == 0)
    }

    @Test func anAlreadyCancelledTaskIsRefusedWithoutQueueing() async throws {
        let limiter = Self.limiter(ManualClock())
        let task = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return try await limiter.acquire(key: Self.key, lane: .live, bu: "cards")
        }
        await #expect(throws: CancellationError.self) { try await task.value }
        #expect(limiter.snapshot(for: Self.key).granted == 0)
        #expect(limiter.snapshot(for: Self.key).queued == 0)
    }

    @Test func noMoreThanMaxInFlightPermitsAreOutAndACompletionLetsTheNextGo() async throws {
        let clock = ManualClock()
        let limiter = RateLimiter(configuration: RateLimitConfiguration(rates: [Self.key.operation: 1_000], maxInFlight: 2, adaptive: false), clock: clock)
        let permits = Shared<[RateLimitPermit]>([])
        let tasks = (0..<5).map { n in
            Task {
                let permit = try await limiter.acquire(key: Self.key, lane: .backfill, bu: "bu\(n)")
                permits.withLock { $0.append(permit) }
            }
        }
        await eventually("two granted, three queued") { permits.withLock { $0.count } == 2 && limiter.snapshot(for: Self.key).queued == 3 }
        #expect(limiter.inFlight == 2)
        limiter.complete(permits.withLock { $0[0] }, throttled: false)
        await eventually("a third granted") { permits.withLock { $0.count } == 3 }
        #expect(limiter.inFlight == 2)
        #expect(limiter.snapshot(for: Self.key).queued == 2)
        #expect(clock.sleeperCount == 0)   // tokens were there all along: only slots held them back
        for task in tasks { task.cancel() }
        for task in tasks { _ = try? await task.value }
    }

    @Test func throttlingLowersTheRateAndSuccessesBringItBackAlongTheCubicCurve() async throws {
        let clock = ManualClock()
        let limiter = RateLimiter(
            configuration: RateLimitConfiguration(rates: [Self.key.operation: 10], adaptive: true, burst: .seconds(1)), clock: clock
        )
        // Two requests in flight; the first comes back throttled: the rate drops by 30 %.
        let first = try await limiter.acquire(key: Self.key, lane: .backfill, bu: "cards")
        let second = try await limiter.acquire(key: Self.key, lane: .backfill, bu: "cards")
        clock.advance(by: .milliseconds(50))
        limiter.complete(first, throttled: true)
        #expect(limiter.snapshot(for: Self.key).rate == 7)
        // The second was sent before the reduction: its throttle is the same episode and does not compound.
        clock.advance(by: .milliseconds(10))
        limiter.complete(second, throttled: true)
        #expect(limiter.snapshot(for: Self.key).rate == 7)
        #expect(limiter.snapshot(for: Self.key).throttled == 2)
        // Successes every 150 ms: the rate climbs back, never above the configured 10/s, and gets there.
        var rates: [Double] = []
        for _ in 0..<100 {
            let permit = try await limiter.acquire(key: Self.key, lane: .backfill, bu: "cards")
            clock.advance(by: .milliseconds(150))
            limiter.complete(permit, throttled: false)
            rates.append(limiter.snapshot(for: Self.key).rate)
        }
        #expect(rates.allSatisfy { $0 >= 7 && $0 <= 10 })
        #expect(zip(rates, rates.dropFirst()).allSatisfy { $0 <= $1 })
        #expect(rates.last == 10)
        #expect(rates.first! < 9)
    }
}
