import Foundation

/// AWS credentials. `description` never shows the secret or the session token.
public struct Credentials: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible {
    public var accessKeyID: String
    public var secretAccessKey: String
    public var sessionToken: String?
    /// When temporary credentials stop working; nil for long-term keys.
    public var expiration: Date?

    public init(accessKeyID: String, secretAccessKey: String, sessionToken: String? = nil, expiration: Date? = nil) {
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
        self.expiration = expiration
    }

    public var description: String {
        "Credentials(accessKeyID: \(accessKeyID), secretAccessKey: <redacted>, sessionToken: \(sessionToken == nil ? "none" : "<redacted>"), expiration: \(expiration.map { "\($0)" } ?? "none"))"
    }

    public var debugDescription: String { description }
}

/// Resolves credentials. Providers are cheap to call repeatedly only behind a caching wrapper.
public protocol CredentialProvider: Sendable {
    func credentials() async throws -> Credentials
}
