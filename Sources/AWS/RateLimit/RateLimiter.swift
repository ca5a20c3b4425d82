import Logging
import Synchronization

/// Permission to send one request: hand it back with `RateLimiter.complete` when the response (or error)
/// is in, which frees the in-flight slot and tells adaptive mode whether the request was throttled.
public struct RateLimitPermit: Sendable {
    public let key: RateLimitKey
    public let lane: Lane
    let grantedAt: Duration
}

/// Token buckets per (account, region, operation) shared by all BUs, with priority lanes, fair sharing
/// between BUs, an adaptive rate and a bound on requests in flight. A thin shell over `RateLimiterCore`:
/// it keeps the waiters' continuations and one pump task that sleeps (through the injected clock) until
/// the next token is due.
public final class RateLimiter: Sendable {
    private struct Pump {
        var generation: UInt64
        var deadline: Duration
        var task: Task<Void, Never>
    }

    private struct State {
        var core: RateLimiterCore
        var continuations: [UInt64: CheckedContinuation<RateLimitPermit, any Error>] = [:]
        var nextID: UInt64 = 0
        var pump: Pump?
        var pumpGeneration: UInt64 = 0
    }

    /// What to do once the lock is released.
    private struct Effects {
        var resume: [(CheckedContinuation<RateLimitPermit, any Error>, RateLimitPermit)] = []
        var cancelPump: Task<Void, Never>?
    }

    private let state: Mutex<State>
    private let clock: ElapsedClock
    private let logger: Logger

    public init(configuration: RateLimitConfiguration, clock: any Clock<Duration>, logger: Logger = .disabled) {
        self.state = Mutex(State(core: RateLimiterCore(configuration: configuration)))
        self.clock = ElapsedClock(clock)
        self.logger = logger
    }

    /// Waits for a token of `key` and a free in-flight slot. Cancellation removes the waiter; it never
    /// consumes a token.
    public func acquire(key: RateLimitKey, lane: Lane, bu: String) async throws -> RateLimitPermit {
        let id = state.withLock { s in
            s.nextID += 1
            return s.nextID
        }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<RateLimitPermit, any Error>) in
                let effects: Effects? = state.withLock { s in
                    if Task.isCancelled { return nil }
                    let now = clock.now()
                    s.continuations[id] = continuation
                    s.core.enqueue(id: id, key: key, lane: lane, bu: bu, now: now)
                    return schedule(&s, now: now)
                }
                guard let effects else {
                    continuation.resume(throwing: CancellationError())
                    return
                }
                perform(effects)
            }
        } onCancel: {
            let continuation = state.withLock { s in
                let continuation = s.continuations.removeValue(forKey: id)
                if continuation != nil { s.core.cancel(id: id) }
                return continuation
            }
            continuation?.resume(throwing: CancellationError())
        }
    }

    /// Hands a permit back (exactly once). `throttled` feeds adaptive mode.
    public func complete(_ permit: RateLimitPermit, throttled: Bool) {
        let effects = state.withLock { s in
            let now = clock.now()
            if let rate = s.core.complete(key: permit.key, grantedAt: permit.grantedAt, throttled: throttled, now: now) {
                logger.debug("rate limit adjusted", [
                    "aws.operation": permit.key.operation, "aws.region": permit.key.region,
                    "rate_limit.rate": "\((rate * 100).rounded() / 100)", "rate_limit.throttled": "\(throttled)",
                ])
            }
            return schedule(&s, now: now)
        }
        perform(effects)
    }

    /// Acquires a permit, runs `body`, and completes the permit whatever happens; an error whose
    /// `RetryClass` is `.throttling` counts as a throttle.
    public func run<T>(key: RateLimitKey, lane: Lane, bu: String, _ body: () async throws -> T) async throws -> T {
        let permit = try await acquire(key: key, lane: lane, bu: bu)
        do {
            let value = try await body()
            complete(permit, throttled: false)
            return value
        } catch {
            complete(permit, throttled: RetryClass.of(error) == .throttling)
            throw error
        }
    }

    public func snapshot(for key: RateLimitKey) -> RateLimitSnapshot {
        state.withLock { $0.core.snapshot(for: key) }
    }

    /// Requests granted and not yet completed, across all keys.
    public var inFlight: Int { state.withLock { $0.core.inFlight } }

    // MARK: - Shell

    /// Grants what can go now and makes sure a pump sleeps until the next token. Called with the lock held.
    private func schedule(_ s: inout State, now: Duration) -> Effects {
        var effects = Effects()
        for grant in s.core.grant(now: now) {
            let continuation = s.continuations.removeValue(forKey: grant.id)!
            effects.resume.append((continuation, RateLimitPermit(key: grant.key, lane: grant.lane, grantedAt: now)))
        }
        if let next = s.core.nextWakeup, s.pump.map({ next < $0.deadline }) ?? true {
            effects.cancelPump = s.pump?.task
            s.pumpGeneration += 1
            s.pump = Pump(generation: s.pumpGeneration, deadline: next, task: startPump(s.pumpGeneration, next))
        }
        return effects
    }

    private func perform(_ effects: Effects) {
        effects.cancelPump?.cancel()
        for (continuation, permit) in effects.resume { continuation.resume(returning: permit) }
    }

    /// A one-shot pump: sleeps until `deadline`, then grants; `schedule` arms the next one if more is due.
    /// A pump replaced by an earlier one is cancelled, or finds its generation stale and does nothing.
    private func startPump(_ generation: UInt64, _ deadline: Duration) -> Task<Void, Never> {
        Task { [self] in
            do { try await clock.sleep(until: deadline) } catch { return }
            let effects: Effects = state.withLock { s in
                guard s.pump?.generation == generation else { return Effects() }
                s.pump = nil
                return schedule(&s, now: clock.now())
            }
            perform(effects)
        }
    }
}

/// An injected clock read as `Duration` since construction, so the pure core needs no generic instant type.
struct ElapsedClock: Sendable {
    let now: @Sendable () -> Duration
    let sleep: @Sendable (_ until: Duration) async throws -> Void

    init<C: Clock>(_ clock: C) where C.Duration == Duration {
        let start = clock.now
        now = { start.duration(to: clock.now) }
        sleep = { try await clock.sleep(until: start.advanced(by: $0), tolerance: nil) }
    }

    func sleep(until deadline: Duration) async throws { try await sleep(deadline) }
}
