import SyncCore

/// Text renderings of backfill progress: the live per-BU lines, the periodic log summary and
/// the summary table printed at the end (spec/cli.md `backfill`).
public enum BackfillReport {
    /// The summary table: per BU read, invalid, duplicates, already present, put, failed, seconds.
    public static func summaryTable(_ units: [BackfillProgress]) -> String {
        var table = TextTable(header: ["business unit", "state", "read", "invalid", "duplicates",
                                       "already in AWS", "put", "failed", "seconds"])
        for u in units {
            table.rows.append([u.businessUnit, u.phase.rawValue, "\(u.rowsRead)", "\(u.invalid)", "\(u.duplicates)",
                               "\(u.alreadyInAWS)", "\(u.put)", "\(u.failed)", String(format1: u.elapsedSeconds)])
        }
        if units.count > 1 {
            table.rows.append(["total", "", "\(units.sum(\.rowsRead))", "\(units.sum(\.invalid))",
                               "\(units.sum(\.duplicates))", "\(units.sum(\.alreadyInAWS))", "\(units.sum(\.put))",
                               "\(units.sum(\.failed))", String(format1: units.map(\.elapsedSeconds).max() ?? 0)])
        }
        return table.render()
    }

    /// One live line per BU: `cards      [#########-----------]  45.0%  4500/10000  98/s  ETA 56s  errors 0`.
    public static func progressLine(_ u: BackfillProgress, rate: Double?, eta: Double?, nameWidth: Int, barWidth: Int = 24) -> String {
        let name = u.businessUnit + String(repeating: " ", count: max(0, nameWidth - u.businessUnit.count))
        let filled = Int((u.ratio * Double(barWidth)).rounded(.down))
        let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: barWidth - filled)
        let percent = String(format1: u.ratio * 100) + "%"
        var line = "\(name) [\(bar)] \(percent.leftPadded(6))"
        switch u.phase {
        case .pending, .snapshot, .scan, .plan:
            line += "  \(u.phase.rawValue)…"
            if u.rowsRead > 0 { line += " \(u.rowsRead) rows read" }
        case .dispatch, .done, .stopped:
            line += "  \(u.settled)/\(u.planned)"
            if let rate { line += "  \(Int(rate.rounded()))/s" }
            if u.phase == .dispatch, let eta { line += "  ETA \(DurationText.format(seconds: eta))" }
            line += "  errors \(u.failed)"
            if u.phase == .done { line += "  done" }
            if u.phase == .stopped { line += "  STOPPED: \(u.stopReason ?? "unknown")" }
        }
        return line
    }
}

extension Array where Element == BackfillProgress {
    fileprivate func sum(_ key: KeyPath<BackfillProgress, Int>) -> Int { reduce(0) { $0 + $1[keyPath: key] } }
}

extension String {
    /// One decimal, without Foundation's locale-dependent formatting.
    init(format1 value: Double) {
        let tenths = Int((value * 10).rounded())
        self = "\(tenths / 10).\(abs(tenths % 10))"
    }

    func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}
