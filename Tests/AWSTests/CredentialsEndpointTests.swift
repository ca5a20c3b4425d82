import AWS
import Foundation
import Synchronization
import Testing

/// Container and IMDS providers: configuration rules and error paths, over an in-memory transport.
/// (The happy paths over real HTTP are in CredentialsLoopbackTests.)
@Suite struct CredentialsEndpointTests {
    static let document = Array("""
        {"AccessKeyId": "ASIACONT", "SecretAccessKey": "contsecret", "Token": "conttoken", "Expiration": "2026-12-03T21:00:00.123Z"}
        """.utf8)

    @Test func fullURIMustBeHTTPSOrLoopbackOrTheECSAndEKSHosts() throws {
        let transport = RecordingTransport { _ in HTTPResponse(status: 200) }
        for allowed in ["https://creds.example.com/x", "http://127.0.0.1:8080/x", "http://127.1.2.3/x", "http://localhost:9/x",
                        "http://[::1]:8080/x", "http://169.254.170.23/v1/credentials", "http://169.254.170.2/x"] {
            let provider = try ContainerCredentialProvider(environment: ["AWS_CONTAINER_CREDENTIALS_FULL_URI": allowed], transport: transport)
            #expect(provider.url.absoluteString == allowed)
        }
        for refused in ["http://creds.example.com/x", "http://10.0.0.1/x", "http://127.0.0.1.example.com/x", "ftp://127.0.0.1/x", "not a url"] {
            let error = #expect(throws: CredentialError.self, "\(refused)") {
                try ContainerCredentialProvider(environment: ["AWS_CONTAINER_CREDENTIALS_FULL_URI": refused], transport: transport)
            }
            #expect(error?.kind == .invalidConfiguration)
        }
        let relativeWins = try ContainerCredentialProvider(
            environment: ["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "/v2/credentials/id", "AWS_CONTAINER_CREDENTIALS_FULL_URI": "https://x/y"],
            transport: transport)
        #expect(relativeWins.url.absoluteString == "http://169.254.170.2/v2/credentials/id")
        let unset = #expect(throws: CredentialError.self) { try ContainerCredentialProvider(environment: [:], transport: transport) }
        #expect(unset?.kind == .notConfigured)
    }

    @Test func authorizationTokenFileWinsAndIsReadEachTimeButNeverShown() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let tokenFile = try dir.write("token", "Bearer file-token-1\n")
        let status = Mutex(200)
        let transport = RecordingTransport { _ in HTTPResponse(status: status.withLock { $0 }, body: status.withLock { $0 } == 200 ? Self.document : []) }
        let provider = try ContainerCredentialProvider(
            environment: ["AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://127.0.0.1:1/creds?id=7",
                          "AWS_CONTAINER_AUTHORIZATION_TOKEN": "env-token", "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": tokenFile],
            transport: transport)
        let credentials = try await provider.credentials()
        #expect(credentials.sessionToken == "conttoken")
        let expected = try #require(ISO8601DateFormatter().date(from: "2026-12-03T21:00:00Z")).addingTimeInterval(0.123)
        #expect(abs(try #require(credentials.expiration).timeIntervalSince(expected)) < 0.001, "fractional seconds are kept")
        try dir.write("token", "Bearer file-token-2")
        status.withLock { $0 = 403 }
        let error = try #require(await credentialError { try await provider.credentials() })
        #expect(transport.requests.map { $0.header("authorization") } == ["Bearer file-token-1", "Bearer file-token-2"])
        #expect(error.description == "container: endpoint 127.0.0.1/creds refused (HTTP 403)")

        let injected = try ContainerCredentialProvider(
            environment: ["AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://127.0.0.1:1/c", "AWS_CONTAINER_AUTHORIZATION_TOKEN": "a\r\nX-Evil: 1"],
            transport: transport)
        let refused = await credentialError { try await injected.credentials() }
        #expect(refused?.kind == .invalidConfiguration)
        #expect(refused?.description.contains("Evil") == false)
    }

    @Test func imdsWithoutARoleIsNotConfiguredAndBadAnswersFail() async throws {
        let roleStatus = Mutex(404)
        let transport = RecordingTransport { request in
            switch (request.method, request.url.absoluteString) {
            case ("PUT", "http://127.0.0.1:1/latest/api/token"): return HTTPResponse(status: 200, body: Array("tok".utf8))
            case ("GET", "http://127.0.0.1:1/latest/meta-data/iam/security-credentials/"):
                return HTTPResponse(status: roleStatus.withLock { $0 }, body: Array("web-role\n".utf8))
            default:
                return HTTPResponse(status: 200, body: Array(#"{"Code": "AssumeRoleUnauthorizedAccess", "Message": "no"}"#.utf8))
            }
        }
        let provider = IMDSv2CredentialProvider(endpoint: URL(string: "http://127.0.0.1:1")!, transport: transport)
        let noRole = try #require(await credentialError { try await provider.credentials() })
        #expect(noRole.kind == .notConfigured)
        #expect(noRole.status == 404)
        roleStatus.withLock { $0 = 200 }
        let unauthorized = try #require(await credentialError { try await provider.credentials() })
        #expect(unauthorized.kind == .failed)
        #expect(unauthorized.description == "imds role web-role: instance metadata reports Code AssumeRoleUnauthorizedAccess")

        let tokenRefused = IMDSv2CredentialProvider(endpoint: URL(string: "http://127.0.0.1:1")!,
                                                    transport: RecordingTransport { _ in HTTPResponse(status: 403) })
        #expect(await credentialError { try await tokenRefused.credentials() }?.kind == .notConfigured)

        let viaEnvironment = try IMDSv2CredentialProvider(environment: ["AWS_EC2_METADATA_SERVICE_ENDPOINT": "http://[fd00:ec2::254]"],
                                                          transport: transport)
        #expect(viaEnvironment.endpoint.absoluteString == "http://[fd00:ec2::254]")
    }

    @Test func secretsNeverAppearInErrorDescriptions() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let secrets = ["envsecret-XYZ", "envtoken-XYZ", "jwt-XYZ", "container-token-XYZ", "filesecret-XYZ"]
        let tokenFile = try dir.write("jwt", "jwt-XYZ")
        let config = try dir.write("config", "[profile broken]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = keys\n")
        let credentials = try dir.write("credentials", "[keys]\naws_secret_access_key = filesecret-XYZ\n")
        let failing = RecordingTransport { _ in
            HTTPResponse(status: 403, body: STSFixtures.errorResponse(code: "AccessDenied", message: "not authorized"))
        }
        let environment = ["AWS_SECRET_ACCESS_KEY": "envsecret-XYZ", "AWS_SESSION_TOKEN": "envtoken-XYZ",
                           "AWS_WEB_IDENTITY_TOKEN_FILE": tokenFile, "AWS_ROLE_ARN": "arn:aws:iam::1:role/web",
                           "AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://127.0.0.1:1/c",
                           "AWS_CONTAINER_AUTHORIZATION_TOKEN": "container-token-XYZ",
                           "AWS_CONFIG_FILE": config, "AWS_SHARED_CREDENTIALS_FILE": credentials]
        let sts = STSClient(transport: failing, region: "us-east-1")
        let wall = ManualWallClock()
        var errors: [CredentialError] = []
        errors.append(try #require(await credentialError { try await EnvironmentCredentialProvider(environment: environment).credentials() }))
        errors.append(try #require(await credentialError {
            try await ProfileCredentialProvider(profile: "broken", environment: environment, transport: failing, region: nil, now: wall.now).credentials()
        }))
        errors.append(try #require(await credentialError {
            try await WebIdentityCredentialProvider(environment: environment, sts: sts, now: wall.now).credentials()
        }))
        errors.append(try #require(await credentialError {
            try await ContainerCredentialProvider(environment: environment, transport: failing).credentials()
        }))
        errors.append(try #require(await credentialError {
            try await STSAssumeRoleProvider(source: StaticCredentialProvider(Credentials(accessKeyID: "A", secretAccessKey: "envsecret-XYZ",
                                                                                         sessionToken: "envtoken-XYZ")),
                                            request: .init(roleARN: "arn:aws:iam::1:role/r", sessionName: "s"), sts: sts, now: wall.now).credentials()
        }))
        #expect(errors[0].kind == .invalidConfiguration)
        #expect(errors[1].detail == "aws_access_key_id is missing")
        #expect(errors[2].isAccessDenied && errors[4].isAccessDenied)
        for error in errors {
            let text = "\(error) \(String(reflecting: error))"
            for secret in secrets { #expect(!text.contains(secret), "\(error.provider) leaked a secret") }
        }
        let credentialsText = "\(Credentials(accessKeyID: "A", secretAccessKey: "envsecret-XYZ", sessionToken: "envtoken-XYZ"))"
        #expect(!credentialsText.contains("XYZ"))
    }
}
