import Foundation

/// The two STS calls the credential providers need, over the query protocol:
/// `POST /` with a form body `Action=…&Version=2011-06-15&…`, XML responses.
/// `AssumeRole` is SigV4-signed with the source credentials; `AssumeRoleWithWebIdentity` is unsigned.
public struct STSClient: Sendable {
    public static let apiVersion = "2011-06-15"

    public let transport: any HTTPTransport
    public let region: String
    /// `https://sts.REGION.amazonaws.com/` unless overridden (tests, `AWS_ENDPOINT_URL_STS`).
    public let endpoint: URL
    public let timeout: Duration

    public init(transport: any HTTPTransport, region: String, endpoint: URL? = nil, timeout: Duration = .seconds(10)) {
        self.transport = transport
        self.region = region
        self.endpoint = endpoint ?? URL(string: "https://sts.\(region).amazonaws.com/")!
        self.timeout = timeout
    }

    /// What to ask of `AssumeRole`.
    public struct AssumeRoleRequest: Sendable, Equatable {
        public var roleARN: String
        public var sessionName: String
        public var externalID: String?
        /// 900 … the role's maximum session duration; nil lets STS use its default (1 hour).
        public var durationSeconds: Int?

        public init(roleARN: String, sessionName: String, externalID: String? = nil, durationSeconds: Int? = nil) {
            self.roleARN = roleARN
            self.sessionName = sessionName
            self.externalID = externalID
            self.durationSeconds = durationSeconds
        }
    }

    /// Signed `AssumeRole` with `source` credentials; `date` is the signing time.
    public func assumeRole(_ request: AssumeRoleRequest, source: Credentials, date: Date, provider: String) async throws -> Credentials {
        var parameters = [("RoleArn", request.roleARN), ("RoleSessionName", request.sessionName)]
        if let externalID = request.externalID { parameters.append(("ExternalId", externalID)) }
        if let duration = request.durationSeconds { parameters.append(("DurationSeconds", String(duration))) }
        return try await call("AssumeRole", parameters, signing: (source, date), provider: provider)
    }

    /// Unsigned `AssumeRoleWithWebIdentity`: the web identity token is the proof.
    public func assumeRoleWithWebIdentity(
        roleARN: String, sessionName: String, webIdentityToken: String, durationSeconds: Int? = nil, provider: String
    ) async throws -> Credentials {
        var parameters = [("RoleArn", roleARN), ("RoleSessionName", sessionName), ("WebIdentityToken", webIdentityToken)]
        if let duration = durationSeconds { parameters.append(("DurationSeconds", String(duration))) }
        return try await call("AssumeRoleWithWebIdentity", parameters, signing: nil, provider: provider)
    }

    private func call(
        _ action: String, _ parameters: [(String, String)], signing: (credentials: Credentials, date: Date)?, provider: String
    ) async throws -> Credentials {
        let form = ([("Action", action), ("Version", Self.apiVersion)] + parameters)
            .map { "\(SigV4Canonical.uriEncode($0.0))=\(SigV4Canonical.uriEncode($0.1))" }
            .joined(separator: "&")
        var request = HTTPRequest(
            method: "POST", url: endpoint,
            headers: [("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")],
            body: Array(form.utf8)
        )
        if let signing {
            SigV4Signer(region: region, service: "sts").sign(&request, credentials: signing.credentials, date: signing.date)
        }
        let response = try await transport.send(request, timeout: timeout, provider: provider, unreachable: "STS \(action) unreachable")
        guard response.status == 200 else {
            let error = STSResponse.error(status: response.status, headers: response.headers, body: response.body)
            throw CredentialError(provider: provider, kind: .failed, detail: "STS \(action) refused", status: response.status, sts: error)
        }
        guard let credentials = STSResponse.credentials(action: action, body: response.body) else {
            throw CredentialError.failed(provider, "STS \(action) response has no complete Credentials element", status: 200)
        }
        return credentials
    }
}
