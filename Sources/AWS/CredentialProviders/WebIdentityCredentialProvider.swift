import Foundation

/// STS `AssumeRoleWithWebIdentity` (unsigned) with the token read from a file at every call, since
/// Kubernetes (IRSA) and other issuers rotate it. The token never appears in errors or logs.
public struct WebIdentityCredentialProvider: CredentialProvider {
    public let roleARN: String
    public let tokenFile: String
    public let sessionName: String?
    public let sts: STSClient
    public let now: @Sendable () -> Date

    public init(roleARN: String, tokenFile: String, sessionName: String?, sts: STSClient, now: @escaping @Sendable () -> Date) {
        self.roleARN = roleARN
        self.tokenFile = tokenFile
        self.sessionName = sessionName
        self.sts = sts
        self.now = now
    }

    /// From `AWS_WEB_IDENTITY_TOKEN_FILE`, `AWS_ROLE_ARN` and `AWS_ROLE_SESSION_NAME`; throws `.notConfigured`
    /// when the token file or role is not set.
    public init(environment: [String: String], sts: STSClient, now: @escaping @Sendable () -> Date) throws {
        let provider = "web-identity"
        switch (environment.nonEmpty("AWS_WEB_IDENTITY_TOKEN_FILE"), environment.nonEmpty("AWS_ROLE_ARN")) {
        case (nil, nil):
            throw CredentialError.notConfigured(provider, "AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN are not set")
        case (nil, _):
            throw CredentialError.notConfigured(provider, "AWS_ROLE_ARN is set but AWS_WEB_IDENTITY_TOKEN_FILE is not")
        case (_, nil):
            throw CredentialError.invalid(provider, "AWS_WEB_IDENTITY_TOKEN_FILE is set but AWS_ROLE_ARN is not")
        case let (tokenFile?, roleARN?):
            self.init(roleARN: roleARN, tokenFile: tokenFile, sessionName: environment.nonEmpty("AWS_ROLE_SESSION_NAME"), sts: sts, now: now)
        }
    }

    public func credentials() async throws -> Credentials {
        let provider = "web-identity \(roleARN)"
        guard let data = FileManager.default.contents(atPath: tokenFile) else {
            throw CredentialError.failed(provider, "cannot read the token file \(tokenFile)")
        }
        let token = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard !token.isEmpty else { throw CredentialError.failed(provider, "the token file \(tokenFile) is empty") }
        return try await sts.assumeRoleWithWebIdentity(
            roleARN: roleARN, sessionName: sessionName ?? defaultSessionName(now()), webIdentityToken: token, provider: provider)
    }
}

/// `optout-sync-<epoch seconds>`, the session name used when none is configured.
func defaultSessionName(_ date: Date) -> String { "optout-sync-\(Int(date.timeIntervalSince1970))" }
