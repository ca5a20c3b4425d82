import AWS
import Configuration
import Foundation
import Logging
import OptOutSync
import Postgres
import Reporting
import SyncCore
import SyncStore
import Synchronization

/// `optout-sync backfill [--dry-run] [--restart] [--rate N]`.
enum BackfillCommand {
    static func run(_ context: CommandContext, options: BackfillOptions) async -> ExitCode {
        let config = context.config
        let schema = StateSchema(config.stateDatabase.schema)
        let aws: AWSSetup
        do {
            aws = try AWSSetup(context, putRateOverride: options.rate)
            try await requireMigrated(context)
        } catch let error as CommandFailure {
            context.console.err("optout-sync: \(error.message)\n")
            return error.code
        } catch {
            context.console.err("optout-sync: \(error)\n")
            return ExitCode(for: error)
        }
        let units = context.selectedBusinessUnits
        let board = ProgressBoard(businessUnits: units.map(\.name))
        let stop = StopFlag()
        let signals = SignalHandlers(onFirst: stop, console: context.console)
        defer { signals.cancel() }
        let rates = config.aws.rateLimits
        let service = BackfillService(
            units: units.map { BackfillService.Unit(config: $0, target: aws.targets[$0.name]!) },
            schema: schema,
            connectState: { try await StateDatabase.connect(context) },
            stateClient: { StateDatabase.client(context) },
            connectLegacy: { unit in try await StateDatabase.connectLegacy(context, unit) },
            gateway: aws.gateway, unverifiedNumbers: config.sync.unverifiedNumbers, maxInFlight: config.aws.maxInFlight,
            putRate: options.rate ?? rates["PutOptedOutNumber"] ?? 10, describeRate: rates["DescribeOptedOutNumbers"] ?? 1,
            options: .init(dryRun: options.dryRun, restart: options.restart), board: board, stop: stop, logger: context.logger)

        let display = ProgressDisplay(board: board, console: context.console, logger: context.logger)
        let displayTask = Task { await display.run() }
        let results = await service.run()
        displayTask.cancel()
        await displayTask.value
        display.finish()

        if options.dryRun {
            context.console.out("Dry run: nothing was written. Plan per business unit:\n")
            context.console.out(planTable(results.map(\.progress), putRate: options.rate ?? rates["PutOptedOutNumber"] ?? 10))
        } else {
            // The board's copy carries the elapsed time of this and earlier runs of each BU.
            context.console.out(BackfillReport.summaryTable(board.lines.map(\.progress)))
        }
        for result in results {
            switch result {
            case .stopped(let p, _): context.console.err("optout-sync: business unit \(p.businessUnit) stopped: \(p.stopReason ?? "")\n")
            case .failed(let p, let detail): context.console.err("optout-sync: business unit \(p.businessUnit) failed: \(detail)\n")
            case .misconfigured(let p, let error):
                let index = config.businessUnits.firstIndex { $0.name == p.businessUnit }.map(String.init) ?? "?"
                context.console.err("optout-sync: business_units[\(index)].\(error.configKey): \(error)\n")
            case .unavailable(let p, let detail): context.console.err("optout-sync: business unit \(p.businessUnit): \(detail)\n")
            case .interrupted(let p): context.console.err("optout-sync: business unit \(p.businessUnit) interrupted; run backfill again to resume\n")
            case .done, .planned: break
            }
        }
        return exitCode(results)
    }

    /// 69 when a dependency stayed down, 75 when interrupted, 77 when access was denied for every BU,
    /// 78 when a BU's configuration does not match its legacy table, 1 on other failures, 2 when
    /// something was quarantined, refused or stopped, else 0 (a dry run's plan is 0 unless a BU could
    /// not be planned).
    static func exitCode(_ results: [BackfillService.Result]) -> ExitCode {
        var code = ExitCode.success
        var denied = 0
        for result in results {
            switch result {
            case .unavailable: return .unavailable
            case .interrupted: code = .interrupted
            case .failed: if code != .interrupted && code != .configuration { code = .failure }
            case .misconfigured: if code != .interrupted { code = .configuration }
            case .stopped(_, let reason):
                if reason == .accessDenied { denied += 1 }
                if code == .success { code = .partial }
            case .done(let p):
                if code == .success && (p.invalid > 0 || p.failed > 0) { code = .partial }
            case .planned:
                break
            }
        }
        if denied == results.count && !results.isEmpty { return .permissionDenied }
        return code
    }

    static func planTable(_ units: [BackfillProgress], putRate: Double) -> String {
        var table = TextTable(header: ["business unit", "read", "invalid", "duplicates", "already in AWS", "to put", "estimated time"])
        for u in units {
            table.rows.append([u.businessUnit, "\(u.rowsRead)", "\(u.invalid)", "\(u.duplicates)", "\(u.alreadyInAWS)",
                               "\(u.planned)", DurationText.format(seconds: Double(u.planned) / max(putRate, 0.001))])
        }
        return table.render()
    }

    static func requireMigrated(_ context: CommandContext) async throws {
        let migrator = try Migrator(logger: context.logger)
        let version = try await StateDatabase.withConnection(context) { db in
            try await migrator.appliedVersion(on: db, schema: context.config.stateDatabase.schema)
        }
        guard version >= migrator.latestVersion else {
            throw CommandFailure(code: .unavailable, message: "state schema \(context.config.stateDatabase.schema) is at version \(version) of \(migrator.latestVersion): run optout-sync migrate")
        }
    }
}

/// A command's clean failure: what to print and which exit code it stands for.
struct CommandFailure: Error {
    var code: ExitCode
    var message: String
}

/// Backfill progress for the operator: live lines redrawn every second on a terminal, a log
/// line per BU every 10 s otherwise.
final class ProgressDisplay: Sendable {
    let board: ProgressBoard
    let console: Console
    let logger: Logger
    let terminal: Bool
    private let drawn = Mutex(0)

    init(board: ProgressBoard, console: Console, logger: Logger) {
        self.board = board
        self.console = console
        self.logger = logger
        self.terminal = isatty(2) == 1
    }

    func run() async {
        let interval: Duration = terminal ? .seconds(1) : .seconds(10)
        while !Task.isCancelled {
            try? await Task.sleep(for: interval)
            if Task.isCancelled { break }
            render()
        }
    }

    func finish() {
        if terminal { render() } else { logLines() }
    }

    private func render() {
        guard terminal else { return logLines() }
        let lines = board.lines
        let width = lines.map(\.progress.businessUnit.count).max() ?? 0
        var text = drawn.withLock { n in n > 0 ? "\u{1B}[\(n)A" : "" }
        for line in lines + overall(lines) {
            text += "\u{1B}[2K" + BackfillReport.progressLine(line.progress, rate: line.rate, eta: line.eta, nameWidth: max(width, 5)) + "\n"
        }
        drawn.withLock { $0 = lines.count + (lines.count > 1 ? 1 : 0) }
        console.err(text)
    }

    /// One "all" line summing every BU (none when there is only one BU).
    private func overall(_ lines: [ProgressBoard.Line]) -> [ProgressBoard.Line] {
        guard lines.count > 1 else { return [] }
        var all = BackfillProgress(businessUnit: "all", phase: .dispatch)
        if lines.allSatisfy({ $0.progress.phase == .done }) { all.phase = .done }
        if lines.allSatisfy({ [.pending, .snapshot, .scan, .plan].contains($0.progress.phase) }) { all.phase = .snapshot }
        for line in lines {
            all.rowsRead += line.progress.rowsRead
            all.planned += line.progress.planned
            all.put += line.progress.put
            all.failed += line.progress.failed
        }
        let rates = lines.compactMap(\.rate)
        let rate: Double? = rates.isEmpty ? nil : rates.reduce(0, +)
        let eta = rate.flatMap { $0 > 0 ? Double(all.remaining) / $0 : nil }
        return [ProgressBoard.Line(progress: all, rate: rate, eta: eta)]
    }

    private func logLines() {
        for line in board.lines + overall(board.lines) {
            let p = line.progress
            var metadata = ["bu": p.businessUnit, "phase": p.phase.rawValue, "rows_read": "\(p.rowsRead)",
                            "done": "\(p.settled)", "total": "\(p.planned)", "failed": "\(p.failed)"]
            if let rate = line.rate { metadata["rate"] = "\(Int(rate.rounded()))" }
            if let eta = line.eta { metadata["eta_seconds"] = "\(Int(eta.rounded()))" }
            logger.info("backfill progress", metadata)
        }
    }
}
