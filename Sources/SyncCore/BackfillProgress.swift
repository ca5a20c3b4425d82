/// Where one BU's backfill stands. Stored per BU in the state schema (so `status` in another
/// terminal sees it), rendered by the progress display and the summary table.
public struct BackfillProgress: Sendable, Equatable, Codable {
    public enum Phase: String, Sendable, Codable, CaseIterable {
        case pending, snapshot, scan, plan, dispatch, done, stopped
    }

    public var businessUnit: String
    public var phase: Phase
    /// Legacy rows read by the snapshot (every row, valid or not).
    public var rowsRead: Int
    /// Rows quarantined (cannot be normalised, or held back by policy).
    public var invalid: Int
    /// Rows that repeat a number another row already gave (same E.164, other spelling).
    public var duplicates: Int
    /// Numbers AWS already held (seen by the scan, or confirmed by an earlier run).
    public var alreadyInAWS: Int
    /// Numbers planned for PutOptedOutNumber in this backfill (done + still queued).
    public var planned: Int
    /// Numbers AWS confirmed in this backfill.
    public var put: Int
    /// Numbers AWS refused permanently (`failed_to_aws`).
    public var failed: Int
    /// Seconds since the backfill of this BU started (excluding time it was not running).
    public var elapsedSeconds: Double
    /// Why the BU stopped, for `.stopped` (names the fix).
    public var stopReason: String?

    public init(businessUnit: String, phase: Phase = .pending, rowsRead: Int = 0, invalid: Int = 0,
                duplicates: Int = 0, alreadyInAWS: Int = 0, planned: Int = 0, put: Int = 0, failed: Int = 0,
                elapsedSeconds: Double = 0, stopReason: String? = nil) {
        self.businessUnit = businessUnit
        self.phase = phase
        self.rowsRead = rowsRead
        self.invalid = invalid
        self.duplicates = duplicates
        self.alreadyInAWS = alreadyInAWS
        self.planned = planned
        self.put = put
        self.failed = failed
        self.elapsedSeconds = elapsedSeconds
        self.stopReason = stopReason
    }

    /// Items settled (confirmed or failed) out of the planned ones.
    public var settled: Int { put + failed }
    public var remaining: Int { max(0, planned - settled) }

    /// 0...1; a BU with nothing to send is complete once planned.
    public var ratio: Double {
        switch phase {
        case .done: return 1
        case .pending, .snapshot, .scan, .plan: return 0
        case .dispatch, .stopped: return planned == 0 ? 1 : min(1, Double(settled) / Double(planned))
        }
    }
}
