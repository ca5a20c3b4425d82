import Foundation
import Reporting
import SyncCore
import SyncStore

/// `optout-sync status [--json]`: per BU, backfill progress, outbox depth by lane, the oldest
/// pending item, quarantine and failure counts, the last reconcile.
enum StatusCommand {
    static func run(_ context: CommandContext, json: Bool) async -> ExitCode {
        let store = StatusStore(schema: StateSchema(context.config.stateDatabase.schema))
        do {
            try await BackfillCommand.requireMigrated(context)
            let statuses = try await StateDatabase.withConnection(context) { db in
                var all: [UnitStatus] = []
                for unit in context.selectedBusinessUnits { all.append(try await store.status(of: unit.name, on: db)) }
                return all
            }
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                encoder.dateEncodingStrategy = .iso8601
                context.console.out(String(decoding: try encoder.encode(statuses), as: UTF8.self) + "\n")
            } else {
                context.console.out(render(statuses))
            }
            return .success
        } catch let error as CommandFailure {
            context.console.err("optout-sync: \(error.message)\n")
            return error.code
        } catch {
            context.console.err("optout-sync: status: \(error)\n")
            return ExitCode(for: error)
        }
    }

    static func render(_ statuses: [UnitStatus]) -> String {
        var table = TextTable(header: ["business unit", "backfill", "done", "total", "rate", "ETA", "failed",
                                       "outbox live/repair/backfill", "oldest pending", "quarantined", "last reconcile"])
        for s in statuses {
            let b = s.backfill
            // The run's average pace (another process's live rate is not visible from here).
            let rate = b.flatMap { $0.phase == .dispatch && $0.elapsedSeconds > 0 ? Double($0.settled) / $0.elapsedSeconds : nil }
            table.rows.append([
                s.businessUnit, b.map { $0.phase.rawValue + ($0.stopReason.map { ": " + $0 } ?? "") } ?? "never",
                b.map { "\($0.settled)" } ?? "-", b.map { "\($0.planned)" } ?? "-",
                rate.map { "\(Int($0.rounded()))/s" } ?? "-",
                rate.flatMap { r in b.map { r > 0 ? DurationText.format(seconds: Double($0.remaining) / r) : "?" } } ?? "-",
                "\(s.failedToAWS)",
                "\(s.outboxLive)/\(s.outboxRepair)/\(s.outboxBackfill)",
                s.oldestPendingSeconds.map { DurationText.format(seconds: $0) } ?? "-", "\(s.quarantined)",
                s.lastReconcileAt.map { ISO8601DateFormatter().string(from: $0) } ?? "never",
            ])
        }
        return table.render()
    }
}
