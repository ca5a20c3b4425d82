import Foundation
import Hashing
import Synchronization

/// The emulator's notion of time: an injectable `Clock` (tests pass `ManualClock`) mapped onto wall-clock
/// dates from `start`, plus an offset the control surface can advance (e.g. past the 30-day rule).
/// Signature freshness and quotas use `requestTime()` (no offset), because clients sign with their own
/// clock; domain timestamps use `now()`.
public final class EmulatorClock: Sendable {
    private let elapsed: @Sendable () -> Duration
    private let start: Date
    private let offset: Mutex<Duration> = Mutex(.zero)

    public init<C: Clock>(clock: C, start: Date = Date()) where C.Duration == Duration {
        let origin = clock.now
        self.elapsed = { origin.duration(to: clock.now) }
        self.start = start
    }

    public func now() -> Date { date(elapsed() + offset.withLock { $0 }) }

    public func requestTime() -> Date { date(elapsed()) }

    private func date(_ d: Duration) -> Date {
        start.addingTimeInterval(Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18)
    }

    public func advance(by duration: Duration) { offset.withLock { $0 += duration } }
}

/// Token buckets per operation: each holds up to one second of its rate and refills continuously,
/// so a burst gets `rate` requests at once and the long-run rate is `rate` per second.
struct TokenBuckets: Sendable {
    struct Bucket: Sendable {
        var rate: Double
        var tokens: Double
        var updated: Double
    }

    private(set) var buckets: [String: Bucket] = [:]

    /// Sets the quotas (requests per second by operation); operations without one are unlimited.
    mutating func configure(_ quotas: [String: Double], now: Double) {
        buckets = quotas.mapValues { Bucket(rate: $0, tokens: max($0, 1), updated: now) }
    }

    /// Takes a token for `operation`; false means throttle.
    mutating func take(_ operation: String, now: Double) -> Bool {
        guard var bucket = buckets[operation] else { return true }
        bucket.tokens = min(max(bucket.rate, 1), bucket.tokens + max(0, now - bucket.updated) * bucket.rate)
        bucket.updated = now
        let allowed = bucket.tokens >= 1
        if allowed { bucket.tokens -= 1 }
        buckets[operation] = bucket
        return allowed
    }
}

/// What the fault injector decided for one request.
public enum FaultKind: String, Sendable, Codable, CaseIterable {
    /// Answer `InternalServerException` (HTTP 500).
    case error
    /// Close the connection without answering.
    case drop
    /// Answer normally after `slowMs`.
    case slow
}

/// Latency and faults, drawn per request from one seeded generator (in arrival order).
struct Disturbances: Sendable {
    var latencyMs: Double = 0
    var jitterMs: Double = 0
    var faultRate: Double = 0
    var faultKinds: [FaultKind] = FaultKind.allCases
    var slowMs: Double = 2000
    var generator: SplitMix64

    init(seed: UInt64) { generator = SplitMix64(seed: seed) }

    /// One draw per request: the fault (if any) and the delay before answering, in milliseconds.
    mutating func draw() -> (fault: FaultKind?, delayMs: Double) {
        var fault: FaultKind?
        if faultRate > 0, !faultKinds.isEmpty, Double.random(in: 0..<1, using: &generator) < faultRate {
            fault = faultKinds[Int.random(in: 0..<faultKinds.count, using: &generator)]
        }
        var delay = latencyMs
        if jitterMs > 0 { delay += Double.random(in: 0...jitterMs, using: &generator) }
        if fault == .slow { delay += slowMs }
        return (fault, delay)
    }
}
