import AWS
import Foundation
import Synchronization
import Testing
import TestSupport

/// A provider that hands out numbered temporary credentials valid for one hour from `now`, and can be
/// made to wait on a gate (so concurrent callers pile up) or to fail.
final class NumberedProvider: CredentialProvider {
    let now: @Sendable () -> Date
    let gate: ManualClock?
    let calls = Atomic<Int>(0)
    let failing = Atomic<Bool>(false)

    init(now: @escaping @Sendable () -> Date, gate: ManualClock? = nil) {
        self.now = now
        self.gate = gate
    }

    func credentials() async throws -> Credentials {
        let number = calls.add(1, ordering: .sequentiallyConsistent).newValue
        if let gate { try await gate.sleep(for: .seconds(1)) }
        if failing.load(ordering: .sequentiallyConsistent) {
            throw CredentialError(provider: "numbered", kind: .failed, detail: "refresh \(number) failed", status: 500)
        }
        return Credentials(accessKeyID: "ASIA\(number)", secretAccessKey: "secret\(number)", sessionToken: "token\(number)",
                           expiration: now().addingTimeInterval(3600))
    }
}

@Suite struct CredentialsCachingTests {
    @Test func refreshesOnlyInsideTheWindowBeforeExpiry() async throws {
        let wall = ManualWallClock()
        let base = NumberedProvider(now: wall.now)
        let cache = CachingCredentialProvider(base, refreshWindow: 300, now: wall.now)
        #expect(try await cache.credentials().accessKeyID == "ASIA1")
        wall.advance(seconds: 3600 - 301)
        #expect(try await cache.credentials().accessKeyID == "ASIA1", "still 301 s before expiry: cached")
        wall.advance(seconds: 2)
        #expect(try await cache.credentials().accessKeyID == "ASIA2", "inside the 5-minute window: refreshed")
        #expect(try await cache.credentials().accessKeyID == "ASIA2")
        #expect(base.calls.load(ordering: .sequentiallyConsistent) == 2)
        #expect(await cache.fetchCount == 2)
    }

    @Test func concurrentCallersAtExpiryShareExactlyOneRefresh() async throws {
        let wall = ManualWallClock()
        let gate = ManualClock()
        let base = NumberedProvider(now: wall.now, gate: gate)
        let slowCache = CachingCredentialProvider(base, refreshWindow: 300, now: wall.now)
        async let primed = slowCache.credentials()
        await gate.waitForSleepers(1)
        gate.advance(by: .seconds(1))
        #expect(try await primed.accessKeyID == "ASIA1")
        wall.advance(seconds: 3600 - 60) // expiry is a minute away: inside the window

        let finished = Counter()
        async let keys = withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<50 {
                group.addTask {
                    let key = try await slowCache.credentials().accessKeyID
                    finished.increment()
                    return key
                }
            }
            return try await group.reduce(into: [String]()) { $0.append($1) }
        }
        await gate.waitForSleepers(1)
        for _ in 0..<1000 { await Task.yield() }
        #expect(finished.value == 0, "nobody gets the old credentials once the window opened")
        #expect(gate.sleeperCount == 1, "one refresh in flight")
        gate.advance(by: .seconds(1))
        #expect(try await keys == Array(repeating: "ASIA2", count: 50))
        #expect(await slowCache.fetchCount == 2)
        #expect(base.calls.load(ordering: .sequentiallyConsistent) == 2)
    }

    @Test func errorsAreNotCachedWhenNothingValidIsHeld() async throws {
        let wall = ManualWallClock()
        let base = NumberedProvider(now: wall.now)
        base.failing.store(true, ordering: .sequentiallyConsistent)
        let cache = CachingCredentialProvider(base, now: wall.now)
        let first = await credentialError { try await cache.credentials() }
        #expect(first?.detail == "refresh 1 failed")
        base.failing.store(false, ordering: .sequentiallyConsistent)
        #expect(try await cache.credentials().accessKeyID == "ASIA2", "the next call tries again at once")
    }

    @Test func aFailedRefreshKeepsUnexpiredCredentialsAndBacksOff() async throws {
        let wall = ManualWallClock()
        let base = NumberedProvider(now: wall.now)
        let cache = CachingCredentialProvider(base, refreshWindow: 300, retryAfterFailure: 30, now: wall.now)
        #expect(try await cache.credentials().accessKeyID == "ASIA1")
        base.failing.store(true, ordering: .sequentiallyConsistent)
        wall.advance(seconds: 3600 - 200)
        #expect(try await cache.credentials().accessKeyID == "ASIA1", "refresh failed; the old ones still work for 200 s")
        wall.advance(seconds: 29)
        #expect(try await cache.credentials().accessKeyID == "ASIA1")
        #expect(base.calls.load(ordering: .sequentiallyConsistent) == 2, "no retry within 30 s of a failure")
        wall.advance(seconds: 2)
        #expect(try await cache.credentials().accessKeyID == "ASIA1")
        #expect(base.calls.load(ordering: .sequentiallyConsistent) == 3)
        wall.advance(seconds: 200)
        let expired = await credentialError { try await cache.credentials() }
        #expect(expired?.kind == .failed, "past expiry the failure surfaces")
        base.failing.store(false, ordering: .sequentiallyConsistent)
        #expect(try await cache.credentials().accessKeyID == "ASIA5")
    }

    @Test func longTermCredentialsAreFetchedOnceAndShortOnesAtHalfLife() async throws {
        let wall = ManualWallClock()
        let fixed = NumberedStatic()
        let cache = CachingCredentialProvider(fixed, now: wall.now)
        for _ in 0..<3 { _ = try await cache.credentials(); wall.advance(seconds: 86_400) }
        #expect(fixed.calls.load(ordering: .sequentiallyConsistent) == 1)

        let short = ShortLived(now: wall.now, lifetime: 240)
        let shortCache = CachingCredentialProvider(short, refreshWindow: 300, now: wall.now)
        _ = try await shortCache.credentials()
        wall.advance(seconds: 119)
        _ = try await shortCache.credentials()
        #expect(short.calls.load(ordering: .sequentiallyConsistent) == 1, "a 4-minute credential is not refreshed on every call")
        wall.advance(seconds: 2)
        _ = try await shortCache.credentials()
        #expect(short.calls.load(ordering: .sequentiallyConsistent) == 2)
    }

    @Test func invalidateForcesAFetch() async throws {
        let wall = ManualWallClock()
        let base = NumberedProvider(now: wall.now)
        let cache = CachingCredentialProvider(base, now: wall.now)
        _ = try await cache.credentials()
        await cache.invalidate()
        #expect(try await cache.credentials().accessKeyID == "ASIA2")
    }
}

final class NumberedStatic: CredentialProvider {
    let calls = Atomic<Int>(0)
    func credentials() async throws -> Credentials {
        calls.add(1, ordering: .sequentiallyConsistent)
        return Credentials(accessKeyID: "AKIDLONG", secretAccessKey: "s")
    }
}

final class ShortLived: CredentialProvider {
    let now: @Sendable () -> Date
    let lifetime: TimeInterval
    let calls = Atomic<Int>(0)
    init(now: @escaping @Sendable () -> Date, lifetime: TimeInterval) {
        self.now = now
        self.lifetime = lifetime
    }
    func credentials() async throws -> Credentials {
        calls.add(1, ordering: .sequentiallyConsistent)
        return Credentials(accessKeyID: "ASIASHORT", secretAccessKey: "s", sessionToken: "t", expiration: now().addingTimeInterval(lifetime))
    }
}

final class Counter: Sendable {
    private let count = Atomic<Int>(0)
    func increment() { count.add(1, ordering: .sequentiallyConsistent) }
    var value: Int { count.load(ordering: .sequentiallyConsistent) }
}
