import AWS
import Foundation
import HTTPServer
import Synchronization
import Testing

/// IMDSv2, the container endpoint and STS over real HTTP: small loopback servers (the shared `HTTPServer`)
/// and the production transport.
@Suite struct CredentialsLoopbackTests {
    /// A loopback server that records the requests it answers.
    final class Recorder: Sendable {
        let requests = Mutex<[HTTPServerRequest]>([])
        func record(_ request: HTTPServerRequest) { requests.withLock { $0.append(request) } }
        var all: [HTTPServerRequest] { requests.withLock { $0 } }
    }

    static func withServer<T>(_ handler: @escaping @Sendable (HTTPServerRequest) -> HTTPServerResponse,
                              _ body: (URL, any HTTPTransport) async throws -> T) async throws -> T {
        let server = HTTPServer(handler: handler)
        let port = try server.start()
        let transport = CurlTransport(maxInFlight: 4)
        defer {
            transport.shutdown()
            server.stop()
        }
        return try await body(URL(string: "http://127.0.0.1:\(port)")!, transport)
    }

    static let credentialsJSON = """
        {"Code": "Success", "LastUpdated": "2026-12-03T19:00:00Z", "Type": "AWS-HMAC", "AccessKeyId": "ASIALOOP",
         "SecretAccessKey": "loopsecret", "Token": "looptoken", "Expiration": "2026-12-03T21:00:00Z"}
        """

    @Test func imdsV2FetchesATokenThenTheRoleThenItsCredentials() async throws {
        let recorder = Recorder()
        let credentials = try await Self.withServer({ request in
            recorder.record(request)
            switch (request.method, request.path) {
            case ("PUT", "/latest/api/token"):
                guard request.header("x-aws-ec2-metadata-token-ttl-seconds") == "21600" else { return HTTPServerResponse(status: 400) }
                return HTTPServerResponse(status: 200, text: "session-token-1")
            case (_, _) where request.header("x-aws-ec2-metadata-token") != "session-token-1":
                return HTTPServerResponse(status: 401)
            case ("GET", "/latest/meta-data/iam/security-credentials/"):
                return HTTPServerResponse(status: 200, text: "optout-sync-instance\n")
            case ("GET", "/latest/meta-data/iam/security-credentials/optout-sync-instance"):
                return HTTPServerResponse(status: 200, text: Self.credentialsJSON)
            default:
                return HTTPServerResponse(status: 404)
            }
        }) { url, transport in
            try await IMDSv2CredentialProvider(endpoint: url, transport: transport).credentials()
        }
        #expect(credentials.accessKeyID == "ASIALOOP")
        #expect(credentials.secretAccessKey == "loopsecret")
        #expect(credentials.sessionToken == "looptoken")
        #expect(credentials.expiration == ISO8601DateFormatter().date(from: "2026-12-03T21:00:00Z"))
        #expect(recorder.all.map { "\($0.method) \($0.path)" } == [
            "PUT /latest/api/token",
            "GET /latest/meta-data/iam/security-credentials/",
            "GET /latest/meta-data/iam/security-credentials/optout-sync-instance",
        ])
    }

    @Test func containerEndpointRelativeAndFullURIWithAuthorization() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let tokenFile = try dir.write("token", "eks-pod-identity-token\n")
        let recorder = Recorder()
        try await Self.withServer({ request in
            recorder.record(request)
            switch request.path {
            case "/v2/credentials/task-1234": return HTTPServerResponse(status: 200, text: Self.credentialsJSON)
            case "/v1/credentials":
                guard request.header("authorization") == "eks-pod-identity-token" else { return HTTPServerResponse(status: 401) }
                return HTTPServerResponse(status: 200, text: Self.credentialsJSON)
            default: return HTTPServerResponse(status: 404)
            }
        }) { url, transport in
            let relative = try ContainerCredentialProvider(
                environment: ["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "/v2/credentials/task-1234"], transport: transport, relativeBase: url)
            #expect(try await relative.credentials().accessKeyID == "ASIALOOP")

            let full = try ContainerCredentialProvider(
                environment: ["AWS_CONTAINER_CREDENTIALS_FULL_URI": url.absoluteString + "/v1/credentials",
                              "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": tokenFile],
                transport: transport)
            #expect(try await full.credentials().sessionToken == "looptoken")

            let wrongPath = try ContainerCredentialProvider(
                environment: ["AWS_CONTAINER_CREDENTIALS_FULL_URI": url.absoluteString + "/nope"], transport: transport)
            let error = await credentialError { try await wrongPath.credentials() }
            #expect(error?.status == 404)
        }
        #expect(recorder.all.first?.header("authorization") == nil)
        #expect(recorder.all.dropFirst().first?.header("authorization") == "eks-pod-identity-token")
    }

    @Test func nothingListeningOnTheMetadataAddressMeansNotConfigured() async throws {
        // Bind a server, learn its port, stop it: connections are then refused.
        let server = HTTPServer { _ in HTTPServerResponse(status: 200) }
        let port = try server.start()
        server.stop()
        let transport = CurlTransport(maxInFlight: 1)
        defer { transport.shutdown() }
        let error = await credentialError {
            try await IMDSv2CredentialProvider(endpoint: URL(string: "http://127.0.0.1:\(port)")!, transport: transport).credentials()
        }
        #expect(error?.kind == .notConfigured)
        #expect(error?.transport != nil)
    }

    @Test func stsAssumeRoleIsSignedAndSharedByBUsWithTheSameRole() async throws {
        let recorder = Recorder()
        let wall = ManualWallClock()
        try await Self.withServer({ request in
            recorder.record(request)
            let form = STSFixtures.form(request.body)
            guard request.method == "POST", request.path == "/",
                  request.header("content-type") == "application/x-www-form-urlencoded; charset=utf-8",
                  request.header("authorization")?.hasPrefix("AWS4-HMAC-SHA256 Credential=AKIDBASE/") == true,
                  request.header("x-amz-date") != nil
            else { return HTTPServerResponse(status: 400, body: STSFixtures.errorResponse(code: "InvalidRequest", message: "bad")) }
            if form["ExternalId"] != "right" {
                return HTTPServerResponse(status: 403, body: STSFixtures.errorResponse(
                    code: "AccessDenied", message: "not authorized to perform: sts:AssumeRole", requestID: "loop-req-1"))
            }
            return HTTPServerResponse(status: 200, body: STSFixtures.assumeRoleResponse(accessKeyID: "ASIABU", secret: "busecret", token: "butoken"))
        }) { url, transport in
            let factory = RoleProviderFactory(sts: STSClient(transport: transport, region: "us-east-1", endpoint: url.appendingPathComponent("")),
                                              now: wall.now)
            let base = StaticCredentialProvider(Credentials(accessKeyID: "AKIDBASE", secretAccessKey: "basesecret"))
            let providers = (0..<8).map { _ in factory.roleProvider(for: "arn:aws:iam::111122223333:role/optout-sync-cards", externalID: "right", base: base) }
            let keys = try await withThrowingTaskGroup(of: String.self) { group in
                for provider in providers { group.addTask { try await provider.credentials().accessKeyID } }
                return try await group.reduce(into: [String]()) { $0.append($1) }
            }
            #expect(keys == Array(repeating: "ASIABU", count: 8))
            #expect(recorder.all.count == 1, "eight BUs, one role, one AssumeRole")

            let denied = factory.roleProvider(for: "arn:aws:iam::111122223333:role/optout-sync-cards", externalID: "wrong", base: base)
            let error = try #require(await credentialError { try await denied.credentials() })
            #expect(error.isAccessDenied)
            #expect(error.sts?.requestID == "loop-req-1")
            #expect(!error.description.contains("basesecret"))
        }
    }

    @Test func defaultChainAssumesAProfileRoleThroughALoopbackSTS() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let config = try dir.write("config", "[profile bu]\nrole_arn = arn:aws:iam::1:role/bu\nsource_profile = base\nexternal_id = ext\n")
        let credentials = try dir.write("credentials", "[base]\naws_access_key_id = AKIDBASE\naws_secret_access_key = b\n")
        let recorder = Recorder()
        try await Self.withServer({ request in
            recorder.record(request)
            return HTTPServerResponse(status: 200, body: STSFixtures.assumeRoleResponse(accessKeyID: "ASIAPROFILE", secret: "s", token: "t"))
        }) { url, transport in
            let environment = ["AWS_CONFIG_FILE": config, "AWS_SHARED_CREDENTIALS_FILE": credentials, "AWS_PROFILE": "bu",
                               "AWS_ENDPOINT_URL_STS": url.absoluteString + "/", "AWS_EC2_METADATA_DISABLED": "true"]
            let chain = DefaultCredentialChain.make(environment: environment, transport: transport, region: "eu-west-1", now: ManualWallClock().now)
            let first = try await chain.credentials()
            let second = try await chain.credentials()
            #expect(first.accessKeyID == "ASIAPROFILE" && second == first)
        }
        #expect(recorder.all.count == 1, "cached until near expiry")
        #expect(STSFixtures.form(recorder.all[0].body)["ExternalId"] == "ext")
        #expect(recorder.all[0].header("authorization")?.contains("/eu-west-1/sts/aws4_request") == true)
    }
}
