import Foundation

/// EC2 instance metadata, version 2 only: `PUT /latest/api/token` (with
/// `x-aws-ec2-metadata-token-ttl-seconds`), then with `x-aws-ec2-metadata-token`
/// `GET /latest/meta-data/iam/security-credentials/` for the role name and `GET …/ROLE` for the credentials.
///
/// Not being on EC2 (nothing answers, the token is refused, no role attached) is `.notConfigured`, so a
/// chain reports it and moves on; a role that answers with bad credentials is `.failed`.
public struct IMDSv2CredentialProvider: CredentialProvider {
    public static let defaultEndpoint = URL(string: "http://169.254.169.254")!
    static let credentialsPath = "/latest/meta-data/iam/security-credentials/"

    public let endpoint: URL
    public let transport: any HTTPTransport
    public let tokenTTLSeconds: Int
    public let timeout: Duration

    public init(endpoint: URL = IMDSv2CredentialProvider.defaultEndpoint, transport: any HTTPTransport,
                tokenTTLSeconds: Int = 21600, timeout: Duration = .seconds(1)) {
        self.endpoint = endpoint
        self.transport = transport
        self.tokenTTLSeconds = tokenTTLSeconds
        self.timeout = timeout
    }

    /// Honours `AWS_EC2_METADATA_DISABLED=true` (throws `.notConfigured`) and `AWS_EC2_METADATA_SERVICE_ENDPOINT`
    /// (which wins over `endpoint`).
    public init(environment: [String: String], transport: any HTTPTransport, endpoint: URL = IMDSv2CredentialProvider.defaultEndpoint,
                timeout: Duration = .seconds(1)) throws {
        if environment.nonEmpty("AWS_EC2_METADATA_DISABLED")?.lowercased() == "true" {
            throw CredentialError.notConfigured("imds", "AWS_EC2_METADATA_DISABLED is true")
        }
        var endpoint = endpoint
        if let text = environment.nonEmpty("AWS_EC2_METADATA_SERVICE_ENDPOINT") {
            guard let url = URL(string: text), url.host != nil else {
                throw CredentialError.invalid("imds", "AWS_EC2_METADATA_SERVICE_ENDPOINT is not a valid URL")
            }
            endpoint = url
        }
        self.init(endpoint: endpoint, transport: transport, timeout: timeout)
    }

    public func credentials() async throws -> Credentials {
        let tokenResponse = try await send("PUT", "/latest/api/token",
                                           [("x-aws-ec2-metadata-token-ttl-seconds", String(tokenTTLSeconds))], step: "token request")
        guard tokenResponse.status == 200 else {
            throw CredentialError(provider: "imds", kind: .notConfigured, detail: "IMDSv2 token request refused", status: tokenResponse.status)
        }
        let token = String(decoding: tokenResponse.body, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        let tokenHeader = [("x-aws-ec2-metadata-token", token)]

        let roleResponse = try await send("GET", Self.credentialsPath, tokenHeader, step: "role lookup")
        guard roleResponse.status == 200 else {
            let kind: CredentialError.Kind = roleResponse.status == 404 ? .notConfigured : .failed
            throw CredentialError(provider: "imds", kind: kind, detail: "no IAM role attached to this instance", status: roleResponse.status)
        }
        guard let role = String(decoding: roleResponse.body, as: UTF8.self)
            .split(whereSeparator: \.isNewline).first.map({ $0.trimmingCharacters(in: .whitespaces) }), !role.isEmpty
        else {
            throw CredentialError(provider: "imds", kind: .notConfigured, detail: "no IAM role attached to this instance")
        }

        let provider = "imds role \(role)"
        let credentialsResponse = try await send("GET", Self.credentialsPath + role, tokenHeader, step: "credentials request")
        guard credentialsResponse.status == 200 else {
            throw CredentialError.failed(provider, "credentials request refused", status: credentialsResponse.status)
        }
        if let object = try? JSONSerialization.jsonObject(with: Data(credentialsResponse.body)) as? [String: Any],
           let code = object["Code"] as? String, code != "Success" {
            throw CredentialError.failed(provider, "instance metadata reports Code \(code)")
        }
        return try CredentialDocument.decode(credentialsResponse.body, provider: provider, tokenKey: "Token")
    }

    private func send(_ method: String, _ path: String, _ headers: [(name: String, value: String)], step: String) async throws -> HTTPResponse {
        guard let url = URL(string: endpoint.absoluteString.trimmingSuffix("/") + path) else {
            throw CredentialError.invalid("imds", "invalid metadata path")
        }
        // Nothing answering the metadata address means "not on EC2".
        return try await transport.send(HTTPRequest(method: method, url: url, headers: headers), timeout: timeout,
                                        provider: "imds", unreachable: "IMDSv2 \(step) got no answer", kind: .notConfigured)
    }
}

extension String {
    func trimmingSuffix(_ suffix: String) -> String { hasSuffix(suffix) ? String(dropLast(suffix.count)) : self }
}
