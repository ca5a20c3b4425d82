import Foundation

/// Why a credential provider could not yield credentials.
///
/// It names the provider, what was missing or what failed, the HTTP status, the STS error (code and
/// request id) or the transport failure. It never carries an access key secret, a session token,
/// a container authorization token or a web identity token: `detail` is always written by this module
/// from fixed text plus names of variables, files, profiles, role ARNs and statuses.
public struct CredentialError: Error, Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable, Equatable {
        /// The provider has nothing to offer here (variable unset, no such file, not on EC2).
        /// A chain moves on to the next provider.
        case notConfigured
        /// The provider is configured but its configuration is unusable (half a key pair, a cycle of
        /// `source_profile`s, a FULL_URI on a plain-http remote host). A chain stops here.
        case invalidConfiguration
        /// The provider is configured and tried, and the attempt failed. A chain stops here.
        case failed
    }

    /// "environment", "profile cards", "web-identity", "container", "imds", "sts-assume-role", "chain", ...
    public var provider: String
    public var kind: Kind
    /// What is missing or failed, without secrets.
    public var detail: String
    /// The HTTP status when an endpoint answered with an error.
    public var status: Int?
    /// The STS error (code, message, request id) when STS refused.
    public var sts: STSError?
    /// The connection failure, when there was one.
    public var transport: TransportError?
    /// For the chain: why each provider it tried did not yield, in order.
    public var causes: [CredentialError]

    public init(
        provider: String, kind: Kind, detail: String, status: Int? = nil,
        sts: STSError? = nil, transport: TransportError? = nil, causes: [CredentialError] = []
    ) {
        self.provider = provider
        self.kind = kind
        self.detail = detail
        self.status = status
        self.sts = sts
        self.transport = transport
        self.causes = causes
    }

    static func notConfigured(_ provider: String, _ detail: String) -> CredentialError {
        CredentialError(provider: provider, kind: .notConfigured, detail: detail)
    }

    static func invalid(_ provider: String, _ detail: String) -> CredentialError {
        CredentialError(provider: provider, kind: .invalidConfiguration, detail: detail)
    }

    static func failed(_ provider: String, _ detail: String, status: Int? = nil) -> CredentialError {
        CredentialError(provider: provider, kind: .failed, detail: detail, status: status)
    }

    /// The same error attributed to an outer provider (a profile that assumes a role, a caching wrapper).
    func within(_ outer: String) -> CredentialError {
        var copy = self
        copy.provider = "\(outer) → \(provider)"
        return copy
    }

    /// True when AWS said AccessDenied (here or in a cause): the CLI maps this to exit code 77.
    public var isAccessDenied: Bool {
        (sts?.isAccessDenied ?? false) || causes.contains { $0.isAccessDenied }
    }

    public var description: String {
        var text = "\(provider): \(detail)"
        if let status { text += " (HTTP \(status))" }
        if let sts { text += " [\(sts)]" }
        if let transport { text += " [\(transport)]" }
        if !causes.isEmpty {
            text += "; tried: " + causes.map { "\($0)" }.joined(separator: "; ")
        }
        return text
    }
}

extension CredentialError: RetryClassifiable {
    public var retryClass: RetryClass {
        if let sts { return sts.retryClass }
        if let transport { return transport.retryClass }
        if let status, status >= 500 || status == 429 { return status == 429 ? .throttling : .transient }
        return .permanent
    }
}

extension HTTPTransport {
    /// Sends a credential request; a connection failure becomes a `CredentialError` of `kind` for `provider`.
    func send(_ request: HTTPRequest, timeout: Duration, provider: String, unreachable detail: String,
              kind: CredentialError.Kind = .failed) async throws -> HTTPResponse {
        do {
            return try await send(request, timeout: timeout)
        } catch let error as TransportError {
            throw CredentialError(provider: provider, kind: kind, detail: detail, transport: error)
        }
    }
}
