import Foundation

/// Credentials of a role assumed through STS `AssumeRole`, signed with a source provider's credentials.
/// Wrap it in `CachingCredentialProvider` (as `RoleProviderFactory` does) so it is called once per session.
public struct STSAssumeRoleProvider: CredentialProvider {
    public let source: any CredentialProvider
    public let request: STSClient.AssumeRoleRequest
    public let sts: STSClient
    public let now: @Sendable () -> Date

    public init(source: any CredentialProvider, request: STSClient.AssumeRoleRequest, sts: STSClient,
                now: @escaping @Sendable () -> Date) {
        self.source = source
        self.request = request
        self.sts = sts
        self.now = now
    }

    public func credentials() async throws -> Credentials {
        let provider = "sts-assume-role \(request.roleARN)"
        let sourceCredentials: Credentials
        do {
            sourceCredentials = try await source.credentials()
        } catch let error as CredentialError {
            var wrapped = error.within(provider)
            if wrapped.kind == .notConfigured { wrapped.kind = .failed }
            throw wrapped
        }
        return try await sts.assumeRole(request, source: sourceCredentials, date: now(), provider: provider)
    }
}
