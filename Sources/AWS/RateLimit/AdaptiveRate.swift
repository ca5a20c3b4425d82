import Foundation

/// The response rate of one key, as botocore's adaptive mode measures it: responses are counted in
/// half-second buckets and each finished bucket's rate is smoothed in with weight 0.8.
struct SendRateMeter: Sendable {
    static let smoothing = 0.8
    static let bucketSeconds = 0.5

    private(set) var measured: Double = 0
    private var lastBucket: Double
    private var count: Double = 0

    init(now: Duration) {
        lastBucket = Self.bucketStart(now)
    }

    private static func bucketStart(_ time: Duration) -> Double {
        (time.seconds / bucketSeconds).rounded(.down) * bucketSeconds
    }

    /// Counts one response at `now` and returns the smoothed rate.
    mutating func record(now: Duration) -> Double {
        let bucket = Self.bucketStart(now)
        count += 1
        if bucket > lastBucket {
            let current = count / (bucket - lastBucket)
            measured = current * Self.smoothing + measured * (1 - Self.smoothing)
            count = 0
            lastBucket = bucket
        }
        return measured
    }
}

/// The CUBIC curve of the SDKs' adaptive mode: after a throttle at rate `wMax` the rate drops to
/// `beta · wMax`, then follows `scale · (t − k)³ + wMax`, which climbs quickly, lingers around `wMax`
/// (where the last throttle happened) and then probes above it. `k` is when the curve is back at `wMax`.
struct CubicCurve: Sendable {
    static let beta = 0.7
    static let scale = 0.4

    private(set) var wMax: Double
    private(set) var k: Double
    private(set) var lastThrottle: Duration

    init(wMax: Double, lastThrottle: Duration) {
        self.wMax = wMax
        self.k = Self.zeroPoint(wMax)
        self.lastThrottle = lastThrottle
    }

    private static func zeroPoint(_ wMax: Double) -> Double { cbrt(wMax * (1 - beta) / scale) }

    func rate(at now: Duration) -> Double {
        let t = (now - lastThrottle).seconds - k
        return Self.scale * t * t * t + wMax
    }

    /// A throttle at `rate`: remember it as the new `wMax` and return the reduced rate.
    mutating func throttled(at rate: Double, now: Duration) -> Double {
        wMax = rate
        k = Self.zeroPoint(rate)
        lastThrottle = now
        return rate * Self.beta
    }
}

/// Adaptive rate for one key, following botocore's `ClientRateLimiter` with two changes:
/// - one reduction per throttling episode: a throttle reported for a request granted before the last
///   reduction is ignored (that request was sent at the old rate; reducing again would compound 0.7ⁿ,
///   the way TCP CUBIC reduces once per window);
/// - once the curve is back at the configured rate the key leaves adaptive mode (no more `2 × measured`
///   cap), so a key that goes quiet does not come back crawling.
/// The rate is never above the configured one (the operator's quota) nor below 0.5/s.
struct AdaptiveRate: Sendable {
    let ceiling: Double
    private(set) var meter: SendRateMeter
    private(set) var curve: CubicCurve
    private(set) var active = false
    private(set) var lastReduction: Duration?

    init(ceiling: Double, now: Duration) {
        self.ceiling = ceiling
        self.meter = SendRateMeter(now: now)
        self.curve = CubicCurve(wMax: ceiling, lastThrottle: now)
    }

    /// Feeds one response. Returns the new rate when it changes.
    mutating func record(throttled: Bool, grantedAt: Duration, now: Duration, currentRate: Double) -> Double? {
        let measured = meter.record(now: now)
        if throttled {
            if let lastReduction, grantedAt < lastReduction { return nil }
            var base = measured > 0 ? measured : currentRate
            if active { base = min(base, currentRate) }
            active = true
            lastReduction = now
            return max(curve.throttled(at: base, now: now), TokenBucket.minimumRate)
        }
        guard active else { return nil }
        let probe = curve.rate(at: now)
        if probe >= ceiling {
            active = false
            return ceiling
        }
        let capped = measured > 0 ? min(probe, 2 * measured) : probe
        return max(capped, TokenBucket.minimumRate)
    }
}
