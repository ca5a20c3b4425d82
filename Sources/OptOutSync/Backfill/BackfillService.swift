import AWS
import Configuration
import Foundation
import Logging
import PhoneNumbers
import Postgres
import Synchronization
import SyncCore
import SyncStore

/// `optout-sync backfill`: every selected BU's legacy opt-outs into its AWS opt-out list.
///
/// Per BU, in phases that each resume: snapshot (legacy table → normalised snapshot + quarantine),
/// scan (the AWS list, within the `ScanBudget`), plan (`legacy \ aws \ confirmed` into the outbox's
/// backfill lane) and dispatch (PutOptedOutNumber under the shared rate limiter). The outbox is
/// the checkpoint; at most `max_in_flight` numbers are ever sent but not yet recorded, so a crash
/// re-sends at most that many. BUs run concurrently and share quotas through the gateway.
public struct BackfillService: Sendable {
    public struct Unit: Sendable {
        public var config: BusinessUnitConfig
        public var target: AWSTarget

        public init(config: BusinessUnitConfig, target: AWSTarget) {
            self.config = config
            self.target = target
        }
    }

    public struct Options: Sendable {
        public var dryRun = false
        public var restart = false
        public init(dryRun: Bool = false, restart: Bool = false) {
            self.dryRun = dryRun
            self.restart = restart
        }
    }

    public enum Result: Sendable {
        /// Every planned number settled (confirmed or refused for good).
        case done(BackfillProgress)
        /// The dry run's plan: nothing was written.
        case planned(BackfillProgress)
        /// The BU cannot go on until the operator fixes something (named in the progress' stop reason).
        case stopped(BackfillProgress, PutOutcome.StopReason)
        /// A signal asked to stop; the work is checkpointed.
        case interrupted(BackfillProgress)
        /// A dependency (database, AWS) stayed unavailable after retries; the work is checkpointed.
        case unavailable(BackfillProgress, String)
        /// The configuration does not match the legacy table (a missing table or column); the error
        /// names the BU's configuration key.
        case misconfigured(BackfillProgress, LegacyTable.Error)
        /// Anything else.
        case failed(BackfillProgress, String)

        public var progress: BackfillProgress {
            switch self {
            case .done(let p), .planned(let p), .stopped(let p, _), .interrupted(let p), .unavailable(let p, _), .failed(let p, _),
                 .misconfigured(let p, _): p
            }
        }
    }

    public let units: [Unit]
    public let schema: StateSchema
    public let connectState: @Sendable () async throws -> PostgresConnection
    /// A reconnecting client to the state database: the dispatch phase (claims, outcomes, run
    /// record) survives a lost connection or a server restart.
    public let stateClient: @Sendable () -> PostgresClient
    public let connectLegacy: @Sendable (BusinessUnitConfig) async throws -> PostgresConnection
    public let gateway: AWSGateway
    public let unverifiedNumbers: UnverifiedNumberPolicy
    public let maxInFlight: Int
    public let putRate: Double
    public let describeRate: Double
    public let options: Options
    public let board: ProgressBoard
    public let stop: StopFlag
    public let logger: Logger

    public init(units: [Unit], schema: StateSchema,
                connectState: @escaping @Sendable () async throws -> PostgresConnection,
                stateClient: @escaping @Sendable () -> PostgresClient,
                connectLegacy: @escaping @Sendable (BusinessUnitConfig) async throws -> PostgresConnection,
                gateway: AWSGateway, unverifiedNumbers: UnverifiedNumberPolicy, maxInFlight: Int,
                putRate: Double, describeRate: Double, options: Options, board: ProgressBoard, stop: StopFlag, logger: Logger) {
        self.units = units
        self.schema = schema
        self.connectState = connectState
        self.stateClient = stateClient
        self.connectLegacy = connectLegacy
        self.gateway = gateway
        self.unverifiedNumbers = unverifiedNumbers
        self.maxInFlight = maxInFlight
        self.putRate = putRate
        self.describeRate = describeRate
        self.options = options
        self.board = board
        self.stop = stop
        self.logger = logger
    }

    /// Runs every BU concurrently; one result per BU, in configuration order.
    public func run() async -> [Result] {
        await withTaskGroup(of: (Int, Result).self) { group in
            for (index, unit) in units.enumerated() {
                group.addTask { (index, await UnitRun(service: self, unit: unit).run()) }
            }
            var results = [Result?](repeating: nil, count: units.count)
            for await (index, result) in group { results[index] = result }
            return results.map { $0! }
        }
    }
}

/// Asks a running backfill to stop gracefully: no new requests, in-flight ones are recorded.
public final class StopFlag: Sendable {
    private let flag = Atomic<Bool>(false)
    public init() {}
    public func request() { flag.store(true, ordering: .relaxed) }
    public var isRequested: Bool { flag.load(ordering: .relaxed) }
}

/// A BU that another process is already backfilling.
struct BusinessUnitBusy: Error, CustomStringConvertible {
    var businessUnit: String
    var description: String { "business unit \(businessUnit): another optout-sync process is backfilling it (state database lock held)" }
}

/// Thrown inside the dry run's transaction to roll it back once the plan is known.
private struct DryRunRollback: Error {
    var progress: BackfillProgress
}

/// One BU's backfill, phase by phase.
private struct UnitRun: Sendable {
    let service: BackfillService
    let unit: BackfillService.Unit
    /// Run records and claims: reconnects after a lost connection (idempotent statements only).
    let records: PostgresClient

    init(service: BackfillService, unit: BackfillService.Unit) {
        self.service = service
        self.unit = unit
        self.records = service.stateClient()
    }

    var bu: String { unit.config.name }
    var store: BackfillStore { BackfillStore(schema: service.schema, businessUnit: bu) }
    var logger: Logger { service.logger.with("bu", bu) }
    var target: AWSTarget { unit.target }

    func run() async -> BackfillService.Result {
        var progress = BackfillProgress(businessUnit: bu)
        do {
            let db = try await service.connectState()
            let records = self.records
            defer { Task { await db.close(); await records.close() } }
            let lock = PostgresConnection.advisoryKey("optout-sync backfill \(service.schema.name) \(bu)")
            guard try await db.tryAdvisoryLock(key: lock) else { throw BusinessUnitBusy(businessUnit: bu) }
            if service.options.dryRun { return try await dryRun(db: db) }
            if try await store.register(list: target.listName, account: target.account, region: target.region, on: db) {
                // The checkpoint planned against the old list: start over against the new one.
                try await store.discardCheckpoint(on: db)
                logger.notice("the BU's opt-out list changed since the last run: what was known to be in AWS is forgotten",
                              ["aws.list": target.listName])
            }
            return try await phases(db: db, progress: &progress)
        } catch let stop as UnitStop {
            progress.phase = .stopped
            progress.stopReason = stop.message
            service.board.update(bu) { $0 = progress }
            logger.error("business unit stopped", ["reason": stop.message])
            return .stopped(progress, stop.reason)
        } catch let error as LegacyTable.Error {
            logger.error("the configuration does not match the legacy table", ["error": "\(error)"])
            return .misconfigured(progress, error)
        } catch let error as PostgresError where error.kind == .connection {
            logger.error("state or legacy database unavailable", ["error": "\(error)"])
            return .unavailable(progress, "\(error)")
        } catch {
            logger.error("backfill failed", ["error": "\(error)"])
            return .failed(progress, "\(error)")
        }
    }

    private func phases(db: PostgresConnection, progress: inout BackfillProgress) async throws -> BackfillService.Result {
        if service.options.restart {
            try await store.discardCheckpoint(on: db)
            logger.notice("checkpoint discarded (--restart)")
        }
        var run: BackfillStore.Run
        if let unfinished = try await store.unfinishedRun(on: db) {
            run = unfinished
            service.board.resume(bu, from: run.progress)
            logger.notice("resuming backfill", ["phase": run.progress.phase.rawValue, "put": String(run.progress.put)])
        } else {
            run = try await store.startRun(on: db)
            service.board.update(bu) { $0 = run.progress }
        }
        defer { progress = run.progress }

        if run.progress.phase == .snapshot || run.progress.phase == .pending {
            let counts = try await snapshot(db: db) { rows in service.board.update(bu) { $0.rowsRead = rows } }
            run.progress.rowsRead = counts.rowsRead
            run.progress.invalid = counts.invalid
            run.progress.duplicates = counts.duplicates
            run.progress.phase = .scan
            try await save(&run)
        }
        if run.progress.phase == .scan {
            do {
                try await scan(db: db)
            } catch let stop as UnitStop {
                return try await stopped(stop, run: &run, db: db)
            }
            run.progress.phase = .plan
            try await save(&run)
        }
        if run.progress.phase == .plan {
            let plan = try await store.plan(on: db)
            run.progress.alreadyInAWS = plan.alreadyInAWS
            run.progress.planned = plan.queued + run.progress.put + run.progress.failed
            run.progress.phase = .dispatch
            try await save(&run)
            logger.info("backfill planned", ["already_in_aws": String(plan.alreadyInAWS), "to_put": String(plan.queued)])
        }
        let ending = try await dispatch(db: db, run: &run)
        switch ending {
        case .finished:
            run.progress.phase = .done
            try await save(&run, finished: true)
            logger.notice("backfill done", ["put": String(run.progress.put), "failed": String(run.progress.failed)])
            return .done(run.progress)
        case .interrupted:
            try await save(&run)
            return .interrupted(run.progress)
        case .unavailable(let detail):
            try await save(&run)
            return .unavailable(run.progress, detail)
        case .stopped(let stop):
            return try await stopped(stop, run: &run, db: db)
        }
    }

    /// Records the stop and its reason in the run (shown by `status`), so it is not mistaken for an
    /// unfinished run of the phase it stopped in.
    private func stopped(_ stop: UnitStop, run: inout BackfillStore.Run, db: PostgresConnection) async throws -> BackfillService.Result {
        run.progress.phase = .stopped
        run.progress.stopReason = stop.message
        try await save(&run, finished: true)
        logger.error("business unit stopped", ["reason": stop.message])
        return .stopped(run.progress, stop.reason)
    }

    private func save(_ run: inout BackfillStore.Run, finished: Bool = false) async throws {
        let store = self.store
        let saved = run
        try await records.withConnection(idempotent: true) { try await store.save(saved, on: $0, finished: finished) }
        service.board.update(bu) { $0 = saved.progress }
    }

    // MARK: Snapshot

    private func snapshot(db: PostgresConnection, persistCache: Bool = true,
                          onRows: @escaping @Sendable (Int) -> Void) async throws -> LegacySnapshotter.Counts {
        let snapshotter = LegacySnapshotter(schema: service.schema, unit: unit.config, policy: service.unverifiedNumbers, logger: logger)
        let legacy = try await service.connectLegacy(unit.config)
        let helper = try await service.connectState()
        defer { Task { await legacy.close(); await helper.close() } }
        let staged = try await snapshotter.stage(legacy: legacy, state: db, helper: helper, persistCache: persistCache, onRowsRead: onRows)
        let counts = try await helper.withTransaction { tx in try await snapshotter.apply(staged, on: tx) }
        try await snapshotter.dropStaging(on: helper)
        return counts
    }

    // MARK: Scan

    /// Reads the AWS list into `aws_snapshot`, at most as many pages as the scan can save (`ScanBudget`).
    private func scan(db: PostgresConnection) async throws {
        let workSet = try await store.workSetSize(on: db)
        let budget = ScanBudget(workSetSize: workSet, putRate: service.putRate, describeRate: service.describeRate)
        try await store.clearAWSSnapshot(on: db)
        guard budget.maxPages > 0 else {
            logger.info("AWS scan skipped: nothing to send")
            return
        }
        var pages = 0, seen = 0
        var token: String?
        repeat {
            let page = try await describe(nextToken: token)
            pages += 1
            seen += page.optedOutNumbers.count
            try await store.addAWSPage(page.optedOutNumbers.map { ($0.optedOutNumber, $0.optedOutTimestamp, $0.endUserOptedOut) }, on: db)
            token = page.nextToken
        } while token != nil && budget.shouldFetch(pagesRead: pages) && !service.stop.isRequested
        if token != nil {
            logger.notice("AWS scan stopped early: reading further would cost more calls than it can save",
                          ["pages": String(pages), "numbers_seen": String(seen), "work_set": String(workSet)])
        } else {
            logger.info("AWS list scanned", ["pages": String(pages), "numbers": String(seen)])
        }
    }

    private func describe(nextToken: String?) async throws -> DescribeOptedOutNumbersOutput {
        let target = self.target
        do {
            return try await service.gateway.call("DescribeOptedOutNumbers", target: target, lane: .backfill, bu: bu) {
                try await target.client.describeOptedOutNumbers(
                    DescribeOptedOutNumbersInput(optOutListName: target.listName, nextToken: nextToken, maxResults: 100))
            }
        } catch {
            if let (code, reason) = awsErrorCode(error), case .stopBusinessUnit(let why) = PutOutcome.classify(errorCode: code) {
                throw UnitStop(reason: why, message: stopMessage(why, code: code, detail: reason))
            }
            throw error
        }
    }

    // MARK: Dry run

    private func dryRun(db: PostgresConnection) async throws -> BackfillService.Result {
        let helper = try await service.connectState()
        defer { Task { await helper.close() } }
        var progress = BackfillProgress(businessUnit: bu, phase: .snapshot)
        let staged = try await LegacySnapshotter(schema: service.schema, unit: unit.config, policy: service.unverifiedNumbers, logger: logger)
            .stage(legacy: try await service.connectLegacy(unit.config), state: db, helper: helper, persistCache: false)
        do {
            try await helper.withTransaction { tx in
                let snapshotter = LegacySnapshotter(schema: service.schema, unit: unit.config, policy: service.unverifiedNumbers, logger: logger)
                let counts = try await snapshotter.apply(staged, on: tx)
                try await snapshotter.dropStaging(on: tx)
                try await UnitRun(service: service, unit: unit).scan(db: tx)
                let plan = try await store.plan(on: tx)
                var p = progress
                p.rowsRead = counts.rowsRead
                p.invalid = counts.invalid
                p.duplicates = counts.duplicates
                p.alreadyInAWS = plan.alreadyInAWS
                p.planned = plan.queued
                p.phase = .done
                throw DryRunRollback(progress: p)
            }
        } catch let rollback as DryRunRollback {
            progress = rollback.progress
        }
        try await LegacySnapshotter(schema: service.schema, unit: unit.config, policy: service.unverifiedNumbers, logger: logger)
            .dropStaging(on: helper)
        service.board.update(bu) { $0 = progress }
        return .planned(progress)
    }

    // MARK: Dispatch

    private enum Ending {
        case finished, interrupted
        case unavailable(String)
        case stopped(UnitStop)
    }

    private enum Event: Sendable {
        case claimed([BackfillStore.Item])
        case put(BackfillStore.Item, Attempt)
        case flushed(confirmed: Int, failed: Int)
    }

    private struct Attempt: Sendable {
        var outcome: BackfillStore.Outcome
        var stop: UnitStop?
        var unavailable: String?
    }

    /// Puts the queued numbers. Invariant: in flight + answered-but-unrecorded ≤ max_in_flight, so
    /// a crash re-sends at most max_in_flight numbers.
    private func dispatch(db: PostgresConnection, run: inout BackfillStore.Run) async throws -> Ending {
        let flushes = service.stateClient()
        let claims = records
        defer { Task { await flushes.close() } }
        let store = self.store
        try await claims.withConnection(idempotent: true) { try await store.releaseLeases(on: $0) }
        let window = max(1, service.maxInFlight)
        let owner = "backfill-\(ProcessInfo.processInfo.processIdentifier)-\(run.id)"
        let runID = run.id
        var queue: [BackfillStore.Item] = []
        var queueHead = 0
        var inFlight = 0
        var unflushed: [(item: BackfillStore.Item, outcome: BackfillStore.Outcome)] = []
        var flushing = 0
        var drained = false
        var claiming = false
        var nextClaim = ContinuousClock.now
        var stop: UnitStop?
        var unavailable: String?
        var consecutiveUnavailable = 0
        var put = run.progress.put, failed = run.progress.failed

        try await withThrowingTaskGroup(of: Event.self) { group in
            while true {
                let stopping = service.stop.isRequested || stop != nil || unavailable != nil
                if stopping {
                    // Claimed but never sent: back to the queue for the next run.
                    unflushed += queue[queueHead...].map { ($0, .released) }
                    queue.removeAll()
                    queueHead = 0
                } else if !claiming && !drained && queue.count - queueHead <= 2 * window && ContinuousClock.now >= nextClaim {
                    // Claim the next numbers while the queued ones are being sent: a claim's database
                    // round trip must not stall the window. The queue holds at most 4 windows.
                    claiming = true
                    let limit = 4 * window - (queue.count - queueHead)
                    group.addTask { .claimed(try await claims.withConnection(idempotent: true) { try await store.claim(limit: limit, owner: owner, on: $0) }) }
                }
                while !stopping && queueHead < queue.count && inFlight + flushing + unflushed.count < window {
                    let item = queue[queueHead]
                    queueHead += 1
                    inFlight += 1
                    group.addTask { .put(item, await attempt(item)) }
                }
                // Record answers as soon as the previous batch is committed: an answer waiting to be
                // recorded holds a window slot as much as a request in flight does, so batches size
                // themselves by the commit time instead of waiting for a count or a timer.
                if flushing == 0 && !unflushed.isEmpty {
                    let batch = unflushed
                    unflushed.removeAll(keepingCapacity: true)
                    flushing = batch.count
                    group.addTask {
                        // Idempotent: a batch recorded again after a lost commit reply changes nothing.
                        try await flushes.withConnection(idempotent: true) { try await store.record(batch, runID: runID, on: $0) }
                        let confirmed = batch.count { if case .confirmed = $0.outcome { true } else { false } }
                        let failed = batch.count { if case .failed = $0.outcome { true } else { false } }
                        return .flushed(confirmed: confirmed, failed: failed)
                    }
                }
                if inFlight == 0 && flushing == 0 && !claiming && unflushed.isEmpty && queueHead == queue.count {
                    if stopping || drained { break }
                    // Nothing out and nothing queued: wait out the pause between empty claims.
                    let wait = nextClaim - ContinuousClock.now
                    if wait > .zero { try await Task.sleep(for: wait) }
                    continue
                }
                guard let event = try await group.next() else { break }
                switch event {
                case .claimed(let items):
                    claiming = false
                    if service.stop.isRequested || stop != nil || unavailable != nil {
                        unflushed += items.map { ($0, .released) }
                    } else if !items.isEmpty {
                        queue.removeFirst(queueHead)
                        queueHead = 0
                        queue += items
                    } else if inFlight > 0 || flushing > 0 || !unflushed.isEmpty || queueHead < queue.count {
                        // Numbers are still out: claim again once they may have come back as retries.
                        nextClaim = ContinuousClock.now + .milliseconds(250)
                    } else if let due = try await claims.withConnection(idempotent: true, { try await store.nextDue(on: $0) }) {
                        // Only retries are left, not yet due.
                        nextClaim = ContinuousClock.now + .milliseconds(Int(min(1, max(0.05, due)) * 1000))
                    } else {
                        drained = true
                    }
                case .put(let item, let attempt):
                    inFlight -= 1
                    unflushed.append((item, attempt.outcome))
                    if let s = attempt.stop, stop == nil { stop = s }
                    if let detail = attempt.unavailable {
                        consecutiveUnavailable += 1
                        if consecutiveUnavailable >= max(8, window) && unavailable == nil {
                            unavailable = "AWS unavailable after retries for \(consecutiveUnavailable) numbers in a row: \(detail)"
                            logger.error("AWS unavailable; stopping with the work checkpointed", ["error": detail])
                        }
                    } else if attempt.stop == nil {
                        consecutiveUnavailable = 0
                    }
                case .flushed(let confirmed, let refused):
                    flushing = 0
                    put += confirmed
                    failed += refused
                    let (p, f) = (put, failed)
                    service.board.update(bu) { $0.put = p; $0.failed = f }
                }
            }
        }
        run.progress.put = put
        run.progress.failed = failed
        if let stop { return .stopped(stop) }
        if let unavailable { return .unavailable(unavailable) }
        if service.stop.isRequested { return .interrupted }
        return .finished
    }

    /// One number: PutOptedOutNumber through the gateway, and what its answer means.
    private func attempt(_ item: BackfillStore.Item) async -> Attempt {
        let target = self.target
        do {
            _ = try await service.gateway.call("PutOptedOutNumber", target: target, lane: .backfill, bu: bu) {
                try await target.client.putOptedOutNumber(listName: target.listName, number: item.e164)
            }
            return Attempt(outcome: .confirmed)
        } catch {
            let delay = min(3600, 30 << min(item.attempts, 7))
            guard let (code, reason) = awsErrorCode(error) else {
                return Attempt(outcome: .retryLater(code: "Unavailable", delaySeconds: delay), unavailable: "\(error)")
            }
            switch PutOutcome.classify(errorCode: code) {
            case .confirmed: return Attempt(outcome: .confirmed)
            case .failedPermanently: return Attempt(outcome: .failed(code: code, reason: reason))
            case .stopBusinessUnit(let why):
                return Attempt(outcome: .released, stop: UnitStop(reason: why, message: stopMessage(why, code: code, detail: reason)))
            case .retryLater:
                return Attempt(outcome: .retryLater(code: code, delaySeconds: delay), unavailable: "\(code): \(reason)")
            }
        }
    }

    private func stopMessage(_ why: PutOutcome.StopReason, code: String, detail: String) -> String {
        switch why {
        case .listNotFound:
            return "opt-out list '\(target.listName)' does not exist in \(target.region) (\(code)); create it with `optout-sync provision` or fix business_units[].opt_out_list"
        case .accessDenied:
            let who = unit.config.roleARN.map { "role \($0)" } ?? "the configured credentials"
            return "access denied for \(who) (\(code)); grant the policy in docs/iam.md"
        case .quotaExceeded:
            return "service quota exceeded (\(code)): \(detail)"
        }
    }
}

/// Stops one BU (its list is missing, access is denied); the other BUs go on.
struct UnitStop: Error, Sendable {
    var reason: PutOutcome.StopReason
    var message: String
}
