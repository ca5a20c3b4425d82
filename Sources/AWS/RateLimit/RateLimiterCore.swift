/// The rate limiter's scheduling as a pure state machine on a `Duration` time axis (time since the limiter
/// started). A waiter is granted when its key's bucket has a token, fewer than `maxInFlight` permits are out,
/// and it is first in line: lowest lane across all keys, round robin between BUs inside a lane, oldest
/// waiter first between keys on the same lane. The shell (`RateLimiter`) resumes whom `grant` names and
/// sleeps until `nextWakeup`.
struct RateLimiterCore: Sendable {
    struct KeyState: Sendable {
        var bucket: TokenBucket
        var queue = FairQueue()
        var adaptive: AdaptiveRate?
        var granted = 0
        var throttled = 0
    }

    struct Waiter: Sendable {
        var key: RateLimitKey
        var lane: Lane
        var bu: String
    }

    struct Grant: Sendable, Equatable {
        var id: UInt64
        var key: RateLimitKey
        var lane: Lane
    }

    let configuration: RateLimitConfiguration
    private(set) var keys: [RateLimitKey: KeyState] = [:]
    private(set) var waiters: [UInt64: Waiter] = [:]
    private(set) var inFlight = 0

    init(configuration: RateLimitConfiguration) {
        self.configuration = configuration
    }

    private mutating func ensureKey(_ key: RateLimitKey, now: Duration) {
        guard keys[key] == nil else { return }
        let rate = configuration.rate(for: key)
        keys[key] = KeyState(
            bucket: TokenBucket(rate: rate, burst: configuration.burst, now: now),
            adaptive: configuration.adaptive ? AdaptiveRate(ceiling: rate, now: now) : nil
        )
    }

    /// Queues waiter `id` (ids must increase: they break ties between keys, oldest first).
    mutating func enqueue(id: UInt64, key: RateLimitKey, lane: Lane, bu: String, now: Duration) {
        ensureKey(key, now: now)
        keys[key]!.queue.enqueue(id, lane: lane, bu: bu)
        waiters[id] = Waiter(key: key, lane: lane, bu: bu)
    }

    /// Removes a waiter that gave up. False if it is not waiting (granted already, or unknown).
    @discardableResult
    mutating func cancel(id: UInt64) -> Bool {
        guard let waiter = waiters.removeValue(forKey: id) else { return false }
        return keys[waiter.key]!.queue.remove(id, lane: waiter.lane, bu: waiter.bu)
    }

    /// Grants every waiter that can go at `now`, best first.
    mutating func grant(now: Duration) -> [Grant] {
        var ready: [RateLimitKey] = []
        for (key, state) in keys where !state.queue.isEmpty {
            keys[key]!.bucket.refill(now: now)
            if keys[key]!.bucket.hasToken { ready.append(key) }
        }
        var grants: [Grant] = []
        while inFlight < configuration.maxInFlight {
            var best: (key: RateLimitKey, lane: Lane, id: UInt64)?
            for key in ready {
                guard let head = keys[key]!.queue.peek() else { continue }
                if let current = best, (current.lane, current.id) < (head.lane, head.id) { continue }
                best = (key, head.lane, head.id)
            }
            guard let best else { break }
            _ = keys[best.key]!.queue.pop()
            keys[best.key]!.bucket.take()
            keys[best.key]!.granted += 1
            if !keys[best.key]!.bucket.hasToken { ready.removeAll { $0 == best.key } }
            waiters[best.id] = nil
            inFlight += 1
            grants.append(Grant(id: best.id, key: best.key, lane: best.lane))
        }
        return grants
    }

    /// When `grant` may have something to do next; nil when nobody waits or all in-flight slots are taken
    /// (then `complete` is the next event).
    var nextWakeup: Duration? {
        guard inFlight < configuration.maxInFlight else { return nil }
        return keys.values.filter { !$0.queue.isEmpty }.map(\.bucket.nextTokenTime).min()
    }

    /// A granted request finished: frees its in-flight slot and feeds the adaptive rate.
    /// Returns the key's new rate if it changed.
    @discardableResult
    mutating func complete(key: RateLimitKey, grantedAt: Duration, throttled: Bool, now: Duration) -> Double? {
        precondition(inFlight > 0, "complete without a matching grant")
        inFlight -= 1
        guard var state = keys[key] else { return nil }
        if throttled { state.throttled += 1 }
        var changed: Double?
        if let newRate = state.adaptive?.record(
            throttled: throttled, grantedAt: grantedAt, now: now, currentRate: state.bucket.rate
        ), newRate != state.bucket.rate {
            state.bucket.setRate(newRate, now: now)
            changed = state.bucket.rate
        }
        keys[key] = state
        return changed
    }

    func snapshot(for key: RateLimitKey) -> RateLimitSnapshot {
        guard let state = keys[key] else {
            return RateLimitSnapshot(rate: configuration.rate(for: key), queued: 0, granted: 0, throttled: 0)
        }
        return RateLimitSnapshot(
            rate: state.bucket.rate, queued: state.queue.count, granted: state.granted, throttled: state.throttled
        )
    }
}

/// What a key looks like now (metrics, logs, tests).
public struct RateLimitSnapshot: Sendable, Equatable {
    /// Current rate in requests per second (below the configured one after throttling).
    public var rate: Double
    /// Requests waiting for a token.
    public var queued: Int
    /// Permits granted since start.
    public var granted: Int
    /// Completions reported as throttled since start.
    public var throttled: Int
}
