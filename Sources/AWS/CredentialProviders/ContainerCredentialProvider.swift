import Foundation

/// The ECS / EKS Pod Identity container endpoint:
/// `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` against `http://169.254.170.2` (injectable for tests), or
/// `AWS_CONTAINER_CREDENTIALS_FULL_URI` (https anywhere; plain http only to loopback, or the ECS and EKS
/// link-local hosts), with `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE` (read at every call) or
/// `AWS_CONTAINER_AUTHORIZATION_TOKEN` in the `Authorization` header.
public struct ContainerCredentialProvider: CredentialProvider {
    public static let ecsHost = URL(string: "http://169.254.170.2")!
    /// Plain-http hosts allowed in FULL_URI besides loopback: ECS and EKS Pod Identity.
    static let linkLocalHosts: Set<String> = ["169.254.170.2", "169.254.170.23", "fd00:ec2::23", "[fd00:ec2::23]"]

    public let url: URL
    public let authorizationToken: String?
    public let authorizationTokenFile: String?
    public let transport: any HTTPTransport
    public let timeout: Duration

    /// Throws `.notConfigured` when neither URI variable is set, `.invalidConfiguration` for a disallowed FULL_URI.
    public init(environment: [String: String], transport: any HTTPTransport, relativeBase: URL = ContainerCredentialProvider.ecsHost,
                timeout: Duration = .seconds(2)) throws {
        let provider = "container"
        if let relative = environment.nonEmpty("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI") {
            guard let url = URL(string: relativeBase.absoluteString + (relative.hasPrefix("/") ? relative : "/" + relative)) else {
                throw CredentialError.invalid(provider, "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI is not a valid path")
            }
            self.url = url
        } else if let full = environment.nonEmpty("AWS_CONTAINER_CREDENTIALS_FULL_URI") {
            guard let url = URL(string: full), let scheme = url.scheme?.lowercased(), let host = url.host else {
                throw CredentialError.invalid(provider, "AWS_CONTAINER_CREDENTIALS_FULL_URI is not a valid URL")
            }
            guard scheme == "https" || (scheme == "http" && Self.isAllowedPlainHTTPHost(host)) else {
                throw CredentialError.invalid(provider,
                    "AWS_CONTAINER_CREDENTIALS_FULL_URI must use https, or http to a loopback or the ECS/EKS link-local host")
            }
            self.url = url
        } else {
            throw CredentialError.notConfigured(provider, "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI and _FULL_URI are not set")
        }
        self.authorizationToken = environment.nonEmpty("AWS_CONTAINER_AUTHORIZATION_TOKEN")
        self.authorizationTokenFile = environment.nonEmpty("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE")
        self.transport = transport
        self.timeout = timeout
    }

    static func isAllowedPlainHTTPHost(_ host: String) -> Bool {
        let host = host.lowercased()
        if host == "localhost" || host == "::1" || host == "[::1]" || linkLocalHosts.contains(host) { return true }
        let octets = host.split(separator: ".")
        return octets.count == 4 && octets[0] == "127" && octets.allSatisfy { UInt8($0) != nil }
    }

    public func credentials() async throws -> Credentials {
        let provider = "container"
        // Never the query string in errors: it is the caller's business what it holds.
        let endpoint = "\(url.host ?? "")\(url.path)"
        var request = HTTPRequest(method: "GET", url: url, headers: [("Accept", "application/json")])
        if let token = try authorization() {
            guard !token.unicodeScalars.contains(where: { $0 == "\r" || $0 == "\n" }) else {
                throw CredentialError.invalid(provider, "the authorization token contains a line break")
            }
            request.setHeader("Authorization", token)
        }
        let response = try await transport.send(request, timeout: timeout, provider: provider, unreachable: "endpoint \(endpoint) unreachable")
        guard response.status == 200 else {
            throw CredentialError.failed(provider, "endpoint \(endpoint) refused", status: response.status)
        }
        return try CredentialDocument.decode(response.body, provider: provider, tokenKey: "Token")
    }

    private func authorization() throws -> String? {
        if let file = authorizationTokenFile {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw CredentialError.failed("container", "cannot read AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE \(file)")
            }
            return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        return authorizationToken
    }
}
