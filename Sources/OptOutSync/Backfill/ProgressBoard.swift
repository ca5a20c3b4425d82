import Foundation
import Synchronization
import SyncCore

/// The live progress of every BU of a backfill, updated by the unit runners and read by the
/// display (TTY lines or a log line every 10 s). Rates and ETAs come from `ProgressEstimator`.
public final class ProgressBoard: Sendable {
    private struct Entry {
        var progress: BackfillProgress
        var estimator = ProgressEstimator(window: 20)
        var startedAt: Double
        var baseElapsed: Double
    }

    private let entries: Mutex<[String: Entry]> = Mutex([:])
    private let order: [String]
    private let now: @Sendable () -> Double

    public init(businessUnits: [String], now: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 }) {
        self.order = businessUnits
        self.now = now
        let t = now()
        entries.withLock { e in
            for bu in businessUnits { e[bu] = Entry(progress: BackfillProgress(businessUnit: bu), startedAt: t, baseElapsed: 0) }
        }
    }

    /// Replaces a BU's progress (keeping the elapsed time of earlier runs of the same backfill).
    public func update(_ bu: String, _ change: (inout BackfillProgress) -> Void) {
        let t = now()
        entries.withLock { e in
            guard var entry = e[bu] else { return }
            change(&entry.progress)
            entry.progress.elapsedSeconds = entry.baseElapsed + (t - entry.startedAt)
            if entry.progress.phase == .dispatch { entry.estimator.record(time: t, done: entry.progress.settled) }
            e[bu] = entry
        }
    }

    /// Elapsed seconds already spent by an interrupted earlier run of this BU.
    public func resume(_ bu: String, from progress: BackfillProgress) {
        let t = now()
        entries.withLock { e in
            e[bu] = Entry(progress: progress, startedAt: t, baseElapsed: progress.elapsedSeconds)
        }
    }

    public struct Line: Sendable {
        public var progress: BackfillProgress
        public var rate: Double?
        public var eta: Double?

        public init(progress: BackfillProgress, rate: Double?, eta: Double?) {
            self.progress = progress
            self.rate = rate
            self.eta = eta
        }
    }

    public var lines: [Line] {
        entries.withLock { e in
            order.compactMap { bu in
                guard let entry = e[bu] else { return nil }
                return Line(progress: entry.progress, rate: entry.estimator.rate,
                            eta: entry.estimator.eta(remaining: entry.progress.remaining))
            }
        }
    }
}
