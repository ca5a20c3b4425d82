import Foundation
import Synchronization

/// Per-BU roles: one cached `STSAssumeRoleProvider` per (role ARN, external id), so every BU that names the
/// same role shares one provider, one session and one refresh.
public final class RoleProviderFactory: Sendable {
    public let sts: STSClient
    public let sessionName: String
    public let durationSeconds: Int?
    public let refreshWindow: TimeInterval
    private let now: @Sendable () -> Date
    private let providers = Mutex<[Key: CachingCredentialProvider]>([:])

    private struct Key: Hashable {
        var roleARN: String
        var externalID: String?
    }

    public init(sts: STSClient, sessionName: String = "optout-sync", durationSeconds: Int? = nil,
                refreshWindow: TimeInterval = 300, now: @escaping @Sendable () -> Date) {
        self.sts = sts
        self.sessionName = sessionName
        self.durationSeconds = durationSeconds
        self.refreshWindow = refreshWindow
        self.now = now
    }

    /// The shared provider for this role. `base` signs the AssumeRole call; it is taken from the first request
    /// for a role (every BU passes the same default chain).
    public func roleProvider(for roleARN: String, externalID: String?, base: any CredentialProvider) -> any CredentialProvider {
        providers.withLock { providers in
            let key = Key(roleARN: roleARN, externalID: externalID)
            if let existing = providers[key] { return existing }
            let request = STSClient.AssumeRoleRequest(roleARN: roleARN, sessionName: sessionName, externalID: externalID,
                                                      durationSeconds: durationSeconds)
            let provider = CachingCredentialProvider(STSAssumeRoleProvider(source: base, request: request, sts: sts, now: now),
                                                     refreshWindow: refreshWindow, now: now)
            providers[key] = provider
            return provider
        }
    }
}
