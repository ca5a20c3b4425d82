/// Rate and ETA of a long job from (time, done) samples, over a sliding window so that the
/// rate follows the limiter rather than the job's whole history. Time is passed in (seconds
/// from any origin), so this is pure.
public struct ProgressEstimator: Sendable {
    public let window: Double
    private var samples: [(time: Double, done: Int)] = []

    public init(window: Double = 30) {
        self.window = window
    }

    public mutating func record(time: Double, done: Int) {
        samples.append((time, done))
        while let first = samples.first, time - first.time > window, samples.count > 2 {
            samples.removeFirst()
        }
    }

    /// Items per second over the window; nil until two samples span some time.
    public var rate: Double? {
        guard let first = samples.first, let last = samples.last, last.time > first.time else { return nil }
        return Double(last.done - first.done) / (last.time - first.time)
    }

    /// Seconds left for `remaining` items at the current rate; nil when unknown or stalled.
    public func eta(remaining: Int) -> Double? {
        guard remaining > 0 else { return 0 }
        guard let rate, rate > 0 else { return nil }
        return Double(remaining) / rate
    }
}

public enum DurationText {
    /// `59s`, `4m05s`, `3h07m`, `2d04h`: compact, for progress lines and tables.
    public static func format(seconds: Double) -> String {
        guard seconds.isFinite, seconds >= 0 else { return "?" }
        let s = Int(seconds.rounded())
        switch s {
        case ..<60: return "\(s)s"
        case ..<3600: return "\(s / 60)m" + pad(s % 60) + "s"
        case ..<86400: return "\(s / 3600)h" + pad((s % 3600) / 60) + "m"
        default: return "\(s / 86400)d" + pad((s % 86400) / 3600) + "h"
        }
    }

    private static func pad(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
}
