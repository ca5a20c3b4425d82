@testable import AWS
import Testing

/// The pure scheduling core, driven step by step on a `Duration` time axis.
@Suite("Rate limiter core")
struct RateLimiterCoreTests {
    static let put = RateLimitKey(account: "111122223333", region: "us-east-1", operation: "PutOptedOutNumber")
    static let delete = RateLimitKey(account: "111122223333", region: "us-east-1", operation: "DeleteOptedOutNumber")

    static func core(rate: Double = 10, burst: Duration = .milliseconds(100), maxInFlight: Int = 1_000_000, adaptive: Bool = false) -> RateLimiterCore {
        RateLimiterCore(configuration: RateLimitConfiguration(
            rates: ["PutOptedOutNumber": rate, "DeleteOptedOutNumber": rate], maxInFlight: maxInFlight, adaptive: adaptive, burst: burst
        ))
    }

    /// Grants and immediately completes (the request took no time), so in-flight never binds.
    static func grantAndComplete(_ core: inout RateLimiterCore, now: Duration) -> [RateLimiterCore.Grant] {
        let grants = core.grant(now: now)
        for grant in grants { core.complete(key: grant.key, grantedAt: now, throttled: false, now: now) }
        return grants
    }

    @Test func aFullBucketBurstsItsDepthThenGrantsOneTokenPerInterval() {
        var core = Self.core(rate: 10, burst: .seconds(1))
        for id in 1...30 { core.enqueue(id: UInt64(id), key: Self.put, lane: .backfill, bu: "cards", now: .zero) }
        #expect(Self.grantAndComplete(&core, now: .zero).map(\.id) == Array(1...10))
        #expect(core.nextWakeup == .milliseconds(100))
        #expect(Self.grantAndComplete(&core, now: .milliseconds(99)).isEmpty)
        #expect(Self.grantAndComplete(&core, now: .milliseconds(100)).map(\.id) == [11])
        #expect(Self.grantAndComplete(&core, now: .milliseconds(350)).map(\.id) == [12, 13])
        #expect(core.nextWakeup == .milliseconds(400))
    }

    @Test func anIdleBucketSavesAtMostItsDepth() {
        var core = Self.core(rate: 10, burst: .milliseconds(300))
        core.enqueue(id: 1, key: Self.put, lane: .live, bu: "cards", now: .zero)
        #expect(Self.grantAndComplete(&core, now: .zero).count == 1)
        for id in 2...20 { core.enqueue(id: UInt64(id), key: Self.put, lane: .live, bu: "cards", now: .seconds(60)) }
        #expect(Self.grantAndComplete(&core, now: .seconds(60)).count == 3)
    }

    @Test func aLiveRequestWaitsAtMostOneTokenIntervalBehindThousandsOfBackfill() {
        var core = Self.core(rate: 10)
        var id: UInt64 = 0
        for n in 0..<5_000 {
            id += 1
            core.enqueue(id: id, key: Self.put, lane: .backfill, bu: n % 2 == 0 ? "cards" : "loans", now: .zero)
        }
        #expect(Self.grantAndComplete(&core, now: .zero).map(\.lane) == [.backfill])
        // Live arrives at 30 ms, between tokens; the next token (100 ms) is its.
        id += 1
        let live = id
        core.enqueue(id: live, key: Self.put, lane: .live, bu: "loans", now: .milliseconds(30))
        #expect(Self.grantAndComplete(&core, now: .milliseconds(30)).isEmpty)
        #expect(core.nextWakeup == .milliseconds(100))
        #expect(Self.grantAndComplete(&core, now: .milliseconds(100)).map(\.id) == [live])
        // Wherever in a token interval live arrives, it waits less than one interval.
        var now = Duration.milliseconds(100)
        for offset in stride(from: 1, through: 99, by: 7) {
            for _ in 0..<3 {
                now = core.nextWakeup!
                #expect(Self.grantAndComplete(&core, now: now).map(\.lane) == [.backfill])
            }
            let arrival = now + .milliseconds(offset)
            id += 1
            core.enqueue(id: id, key: Self.put, lane: .live, bu: "cards", now: arrival)
            #expect(Self.grantAndComplete(&core, now: arrival).isEmpty)
            now = core.nextWakeup!
            #expect(Self.grantAndComplete(&core, now: now).map(\.id) == [id])
            #expect(now - arrival < .milliseconds(100))
        }
        #expect(core.snapshot(for: Self.put).queued == 4_999 - 3 * 15)
    }

    @Test func lanesAreStrictLiveThenRepairThenBackfill() {
        var core = Self.core(rate: 10)
        core.enqueue(id: 1, key: Self.put, lane: .backfill, bu: "a", now: .zero)
        core.enqueue(id: 2, key: Self.put, lane: .repair, bu: "a", now: .zero)
        core.enqueue(id: 3, key: Self.put, lane: .backfill, bu: "b", now: .zero)
        core.enqueue(id: 4, key: Self.put, lane: .live, bu: "b", now: .zero)
        core.enqueue(id: 5, key: Self.put, lane: .repair, bu: "b", now: .zero)
        var order: [UInt64] = []
        var now = Duration.zero
        while order.count < 5 {
            order += Self.grantAndComplete(&core, now: now).map(\.id)
            now += .milliseconds(100)
        }
        #expect(order == [4, 2, 5, 1, 3])
    }

    @Test func twoBUsWithTenfoldDifferentBacklogsGetEqualShares() {
        for bigFirst in [true, false] {
            var core = Self.core(rate: 10)
            var id: UInt64 = 0
            let order = bigFirst ? [("big", 1_000), ("small", 100)] : [("small", 100), ("big", 1_000)]
            for (bu, count) in order {
                for _ in 0..<count {
                    id += 1
                    core.enqueue(id: id, key: Self.put, lane: .backfill, bu: bu, now: .zero)
                }
            }
            var ids: [String: Set<UInt64>] = ["big": Set(1...1_000), "small": Set(1_001...1_100)]
            if !bigFirst { ids = ["small": Set(1...100), "big": Set(101...1_100)] }
            var granted: [String: Int] = ["big": 0, "small": 0]
            for step in 0..<200 {
                for grant in Self.grantAndComplete(&core, now: .milliseconds(100 * step)) {
                    granted[ids["big"]!.contains(grant.id) ? "big" : "small"]! += 1
                }
                // At every point the two BUs are within one grant of each other.
                #expect(abs(granted["big"]! - granted["small"]!) <= 1)
            }
            #expect(granted == ["big": 100, "small": 100])
            // Once the small BU is done the big one gets every token.
            for step in 200..<250 { _ = Self.grantAndComplete(&core, now: .milliseconds(100 * step)) }
            #expect(core.snapshot(for: Self.put).granted == 250)
            #expect(core.snapshot(for: Self.put).queued == 850)
        }
    }

    @Test func theInFlightBoundHoldsAcrossKeysAndAFreedSlotGoesToTheBestLane() {
        var core = Self.core(rate: 1_000, burst: .seconds(1), maxInFlight: 3)
        for id in 1...5 { core.enqueue(id: UInt64(id), key: Self.put, lane: .backfill, bu: "a", now: .zero) }
        let first = core.grant(now: .zero)
        #expect(first.map(\.id) == [1, 2, 3])
        #expect(core.inFlight == 3)
        #expect(core.nextWakeup == nil)   // tokens are there; only a completion can free a slot
        core.enqueue(id: 6, key: Self.delete, lane: .live, bu: "b", now: .zero)
        #expect(core.grant(now: .milliseconds(1)).isEmpty)
        core.complete(key: Self.put, grantedAt: .zero, throttled: false, now: .milliseconds(50))
        #expect(core.grant(now: .milliseconds(50)).map(\.id) == [6])
        core.complete(key: Self.put, grantedAt: .zero, throttled: false, now: .milliseconds(60))
        #expect(core.grant(now: .milliseconds(60)).map(\.id) == [4])
    }

    @Test func oldestWaiterFirstBetweenKeysOnTheSameLane() {
        var core = Self.core(rate: 1_000, burst: .seconds(1), maxInFlight: 1)
        core.enqueue(id: 1, key: Self.delete, lane: .backfill, bu: "a", now: .zero)
        core.enqueue(id: 2, key: Self.put, lane: .backfill, bu: "a", now: .zero)
        core.enqueue(id: 3, key: Self.delete, lane: .backfill, bu: "a", now: .zero)
        var order: [UInt64] = []
        for step in 0..<3 {
            let grants = core.grant(now: .milliseconds(step))
            order += grants.map(\.id)
            for grant in grants { core.complete(key: grant.key, grantedAt: .zero, throttled: false, now: .milliseconds(step)) }
        }
        #expect(order == [1, 2, 3])
    }

    @Test func aCancelledWaiterTakesNoTokenAndNoSlot() {
        var core = Self.core(rate: 10)
        core.enqueue(id: 1, key: Self.put, lane: .backfill, bu: "a", now: .zero)
        core.enqueue(id: 2, key: Self.put, lane: .backfill, bu: "a", now: .zero)
        core.enqueue(id: 3, key: Self.put, lane: .backfill, bu: "b", now: .zero)
        let cancelledQueued = core.cancel(id: 1)
        let cancelledTwice = core.cancel(id: 1)
        #expect(cancelledQueued && !cancelledTwice)
        #expect(core.grant(now: .zero).map(\.id) == [2])
        let cancelledGranted = core.cancel(id: 2)     // granted already: the caller owns the permit
        let cancelledOther = core.cancel(id: 3)
        #expect(!cancelledGranted && cancelledOther)
        #expect(core.snapshot(for: Self.put).queued == 0)
        #expect(core.nextWakeup == nil)
        #expect(core.inFlight == 1)
        core.enqueue(id: 4, key: Self.put, lane: .backfill, bu: "b", now: .milliseconds(100))
        #expect(core.grant(now: .milliseconds(100)).map(\.id) == [4])
    }

    @Test func aThrottleLowersTheKeysRateAndLeavesOtherKeysAlone() {
        var core = Self.core(rate: 10, adaptive: true)
        core.enqueue(id: 1, key: Self.put, lane: .backfill, bu: "a", now: .zero)
        _ = core.grant(now: .zero)
        #expect(core.complete(key: Self.put, grantedAt: .zero, throttled: true, now: .milliseconds(40)) == 7)
        #expect(core.snapshot(for: Self.put).rate == 7)
        #expect(core.snapshot(for: Self.put).throttled == 1)
        #expect(core.snapshot(for: Self.delete).rate == 10)
    }
}
