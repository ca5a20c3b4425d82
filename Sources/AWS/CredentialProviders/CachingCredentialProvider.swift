import Foundation

/// Caches a provider's credentials and refreshes them before they expire.
///
/// - Credentials without an expiration are kept for good.
/// - Temporary credentials are refreshed from `expiration - refreshWindow` on (for credentials that live
///   shorter than twice the window, from half their lifetime on), by the injected `now`.
/// - Exactly one refresh is in flight at a time; every concurrent caller awaits that same task.
/// - Errors are not cached: the next call after a failed refresh tries again. The one exception: if a refresh
///   fails while the cached credentials have not yet expired, those are returned and the next attempt waits
///   `retryAfterFailure` (or until expiry, if sooner), so an STS outage does not become a refresh storm.
public actor CachingCredentialProvider: CredentialProvider {
    public nonisolated let base: any CredentialProvider
    public nonisolated let refreshWindow: TimeInterval
    public nonisolated let retryAfterFailure: TimeInterval
    private nonisolated let now: @Sendable () -> Date

    private var cached: (credentials: Credentials, refreshAt: Date?)?
    private var inFlight: Task<Credentials, any Error>?
    private var noRefreshBefore: Date?
    /// How many times the base provider has been asked (tests, metrics).
    public private(set) var fetchCount = 0

    public init(_ base: any CredentialProvider, refreshWindow: TimeInterval = 300, retryAfterFailure: TimeInterval = 30,
                now: @escaping @Sendable () -> Date) {
        self.base = base
        self.refreshWindow = refreshWindow
        self.retryAfterFailure = retryAfterFailure
        self.now = now
    }

    public func credentials() async throws -> Credentials {
        let now = now()
        if let cached {
            if cached.refreshAt.map({ now < $0 }) ?? true { return cached.credentials }
            if let noRefreshBefore, now < noRefreshBefore, Self.isUnexpired(cached.credentials, at: now) {
                return cached.credentials
            }
        }
        let task = inFlight ?? startRefresh()
        do {
            return try await task.value
        } catch {
            if let cached, Self.isUnexpired(cached.credentials, at: self.now()) { return cached.credentials }
            throw error
        }
    }

    /// Drops the cached credentials (e.g. after AWS said they are invalid); the next call fetches.
    public func invalidate() {
        cached = nil
        noRefreshBefore = nil
    }

    private func startRefresh() -> Task<Credentials, any Error> {
        fetchCount += 1
        let base = base
        let task = Task<Credentials, any Error> {
            let result: Result<Credentials, any Error>
            do { result = .success(try await base.credentials()) } catch { result = .failure(error) }
            self.finishRefresh(result)
            return try result.get()
        }
        inFlight = task
        return task
    }

    private func finishRefresh(_ result: Result<Credentials, any Error>) {
        inFlight = nil
        let now = now()
        switch result {
        case .success(let credentials):
            cached = (credentials, refreshAt(for: credentials, fetchedAt: now))
            noRefreshBefore = nil
        case .failure:
            if let cached, Self.isUnexpired(cached.credentials, at: now) {
                let retry = now.addingTimeInterval(retryAfterFailure)
                noRefreshBefore = min(retry, cached.credentials.expiration ?? retry)
            }
        }
    }

    private func refreshAt(for credentials: Credentials, fetchedAt: Date) -> Date? {
        guard let expiration = credentials.expiration else { return nil }
        let lifetime = expiration.timeIntervalSince(fetchedAt)
        return expiration.addingTimeInterval(-min(refreshWindow, max(lifetime, 0) / 2))
    }

    private static func isUnexpired(_ credentials: Credentials, at now: Date) -> Bool {
        credentials.expiration.map { now < $0 } ?? true
    }
}
