@testable import AWS
import Foundation
import Testing

@Suite("Adaptive rate (CUBIC)")
struct AdaptiveRateTests {
    @Test func theMeterSmoothsHalfSecondBucketsWithWeightPointEight() {
        var meter = SendRateMeter(now: .zero)
        // 50 responses per half second = 100/s.
        var rate = 0.0
        for n in 1...150 { rate = meter.record(now: .milliseconds(10 * n)) }
        // Buckets completed at 0.5 s, 1.0 s, 1.5 s: 80, 96, 99.2 (each counts the response that closed it).
        #expect(abs(rate - 99.2) < 1.5)
        #expect(rate < 100.5)
    }

    @Test func theCurveDropsToBetaThenReturnsToWMaxAfterKSecondsAndProbesAbove() {
        var curve = CubicCurve(wMax: 100, lastThrottle: .zero)
        #expect(curve.throttled(at: 100, now: .seconds(10)) == 70)
        let k = cbrt(100 * 0.3 / 0.4)
        #expect(abs(curve.k - k) < 1e-9)
        #expect(abs(curve.rate(at: .seconds(10)) - 70) < 1e-9)
        let atK = curve.rate(at: .seconds(10 + k))
        #expect(abs(atK - 100) < 1e-6)
        // Concave on the way up: halfway in time is well over halfway in rate.
        #expect(curve.rate(at: .seconds(10 + k / 2)) > 95)
        // Convex beyond: probes above wMax, slowly at first.
        #expect(curve.rate(at: .seconds(10 + k + 1)) < 101)
        #expect(curve.rate(at: .seconds(10 + k + 3)) > 110)
    }

    @Test func aThrottleReducesFromTheMeasuredRateOncePerEpisode() {
        var adaptive = AdaptiveRate(ceiling: 200, now: .zero)
        var now = Duration.zero
        // Responses at 100/s for 2 s: no change while nothing is throttled.
        for _ in 0..<200 {
            now += .milliseconds(10)
            #expect(adaptive.record(throttled: false, grantedAt: now, now: now, currentRate: 200) == nil)
        }
        now += .milliseconds(10)
        let reduced = adaptive.record(throttled: true, grantedAt: now - .milliseconds(50), now: now, currentRate: 200)!
        #expect(abs(reduced - 0.7 * adaptive.curve.wMax) < 1e-9)
        #expect(abs(adaptive.curve.wMax - 100) < 2)
        // Requests granted before that reduction come back throttled too: same episode, ignored.
        now += .milliseconds(10)
        #expect(adaptive.record(throttled: true, grantedAt: now - .milliseconds(60), now: now, currentRate: reduced) == nil)
        // A throttle of a request granted after the reduction reduces again, from min(measured, current).
        now += .milliseconds(10)
        let again = adaptive.record(throttled: true, grantedAt: now - .milliseconds(5), now: now, currentRate: reduced)!
        #expect(abs(again - 0.7 * reduced) < 1e-9)
    }

    @Test func successesClimbBackToTheCeilingAndLeaveAdaptiveMode() {
        var adaptive = AdaptiveRate(ceiling: 100, now: .zero)
        var now = Duration.zero
        var rate = 100.0
        for _ in 0..<100 {
            now += .milliseconds(10)
            _ = adaptive.record(throttled: false, grantedAt: now, now: now, currentRate: rate)
        }
        rate = adaptive.record(throttled: true, grantedAt: now, now: now, currentRate: rate)!
        #expect(rate < 71 && rate > 60)
        #expect(adaptive.active)
        var trace: [Double] = []
        for _ in 0..<1_000 {
            now += .milliseconds(10)
            if let new = adaptive.record(throttled: false, grantedAt: now, now: now, currentRate: rate) { rate = new }
            trace.append(rate)
        }
        #expect(zip(trace, trace.dropFirst()).allSatisfy { $0 <= $1 + 1e-9 })
        #expect(trace.last == 100)
        #expect(!adaptive.active)
        #expect(trace.allSatisfy { $0 <= 100 })
    }

    @Test func adaptiveRatesNeverFallBelowHalfARequestPerSecond() {
        var adaptive = AdaptiveRate(ceiling: 1, now: .zero)
        var rate = 1.0
        for n in 1...20 {
            let now = Duration.seconds(n)
            if let new = adaptive.record(throttled: true, grantedAt: now, now: now, currentRate: rate) { rate = new }
        }
        #expect(rate == 0.5)
    }
}
