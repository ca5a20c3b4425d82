import AWS
import Foundation
import Testing

/// The default chain with a fake environment and temporary files; the network is an in-memory transport
/// in which nothing listens unless a test says so (the process environment is never read or changed).
@Suite struct CredentialsChainTests {
    static func nothingListens(_ request: HTTPRequest) throws -> HTTPResponse {
        throw TransportError(kind: .connect, endpoint: request.url.host ?? "", detail: "connection refused")
    }

    func chain(_ environment: [String: String], profile: String? = nil,
               transport: RecordingTransport = RecordingTransport(nothingListens)) -> CachingCredentialProvider {
        DefaultCredentialChain.make(environment: environment, profile: profile, transport: transport, region: "us-east-1",
                                    now: ManualWallClock().now)
    }

    @Test func environmentComesFirst() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let credentialsFile = try dir.write("credentials", "[default]\naws_access_key_id = AKIDFILE\naws_secret_access_key = f\n")
        let environment = ["AWS_ACCESS_KEY_ID": "AKIDENV", "AWS_SECRET_ACCESS_KEY": "e", "AWS_SESSION_TOKEN": "t",
                           "AWS_SHARED_CREDENTIALS_FILE": credentialsFile, "HOME": dir.path]
        #expect(try await chain(environment).credentials() == Credentials(accessKeyID: "AKIDENV", secretAccessKey: "e", sessionToken: "t"))
        var withoutEnvKeys = environment
        withoutEnvKeys["AWS_ACCESS_KEY_ID"] = nil
        withoutEnvKeys["AWS_SECRET_ACCESS_KEY"] = ""
        #expect(try await chain(withoutEnvKeys).credentials().accessKeyID == "AKIDFILE", "empty variables count as unset")
    }

    @Test func halfAKeyPairStopsTheChainWithAClearError() async throws {
        let error = try #require(await credentialError {
            try await chain(["AWS_ACCESS_KEY_ID": "AKIDENV", "HOME": "/nonexistent"]).credentials()
        })
        #expect(error.kind == .invalidConfiguration)
        #expect(error.description == "environment: AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not")
    }

    @Test func profileWithSourceProfileAssumesTheRoleThroughSTS() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let config = try dir.write("config", """
            [profile deploy]
            role_arn = arn:aws:iam::111122223333:role/deploy
            source_profile = base
            external_id = corp-ext
            role_session_name = deployer
            [profile base]
            region = eu-west-1
            """)
        let credentials = try dir.write("credentials", "[base]\naws_access_key_id = AKIDBASE\naws_secret_access_key = basesecret\n")
        let transport = RecordingTransport { request in
            guard request.url.host == "sts.us-east-1.amazonaws.com" else { return try Self.nothingListens(request) }
            return HTTPResponse(status: 200, body: STSFixtures.assumeRoleResponse(accessKeyID: "ASIADEPLOY", secret: "ds", token: "dt"))
        }
        let environment = ["AWS_CONFIG_FILE": config, "AWS_SHARED_CREDENTIALS_FILE": credentials, "AWS_PROFILE": "deploy"]
        let resolved = try await chain(environment, transport: transport).credentials()
        #expect(resolved.accessKeyID == "ASIADEPLOY")
        let form = STSFixtures.form(try #require(transport.requests.first).body)
        #expect(form["RoleArn"] == "arn:aws:iam::111122223333:role/deploy")
        #expect(form["ExternalId"] == "corp-ext")
        #expect(form["RoleSessionName"] == "deployer")
        #expect(transport.requests.first?.header("authorization")?.contains("Credential=AKIDBASE/") == true)
    }

    @Test func chainedRolesAreAssumedInOrderEachSignedByThePrevious() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let config = try dir.write("config", """
            [profile outer]
            role_arn = arn:aws:iam::1:role/outer
            source_profile = middle
            [profile middle]
            role_arn = arn:aws:iam::1:role/middle
            source_profile = root
            """)
        let credentials = try dir.write("credentials", "[root]\naws_access_key_id = AKIDROOT\naws_secret_access_key = r\n")
        let transport = RecordingTransport { request in
            let role = STSFixtures.form(request.body)["RoleArn"] ?? ""
            let key = role.hasSuffix("middle") ? "ASIAMIDDLE" : "ASIAOUTER"
            return HTTPResponse(status: 200, body: STSFixtures.assumeRoleResponse(accessKeyID: key, secret: "x", token: "y"))
        }
        let provider = ProfileCredentialProvider(profile: "outer", environment: ["AWS_CONFIG_FILE": config, "AWS_SHARED_CREDENTIALS_FILE": credentials],
                                                 transport: transport, region: "us-east-1", now: ManualWallClock().now)
        #expect(try await provider.credentials().accessKeyID == "ASIAOUTER")
        let requests = transport.requests
        #expect(requests.map { STSFixtures.form($0.body)["RoleArn"] } == ["arn:aws:iam::1:role/middle", "arn:aws:iam::1:role/outer"])
        #expect(requests[0].header("authorization")?.contains("Credential=AKIDROOT/") == true)
        #expect(requests[1].header("authorization")?.contains("Credential=ASIAMIDDLE/") == true)
        #expect(requests[1].header("x-amz-security-token") == "y")
    }

    @Test func webIdentityComesBeforeContainerAndIMDS() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let token = try dir.write("token", "jwt")
        let transport = RecordingTransport { request in
            guard request.url.host?.hasPrefix("sts.") == true else { return HTTPResponse(status: 500) }
            return HTTPResponse(status: 200, body: STSFixtures.assumeRoleResponse(
                action: "AssumeRoleWithWebIdentity", accessKeyID: "ASIAWEB", secret: "w", token: "t"))
        }
        let environment = ["HOME": dir.path, "AWS_WEB_IDENTITY_TOKEN_FILE": token, "AWS_ROLE_ARN": "arn:aws:iam::1:role/irsa",
                           "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "/v2/credentials/abc"]
        #expect(try await chain(environment, transport: transport).credentials().accessKeyID == "ASIAWEB")
        #expect(transport.requests.count == 1)
    }

    @Test func nothingConfiguredListsWhyEachProviderDidNotYield() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let transport = RecordingTransport(Self.nothingListens)
        let error = try #require(await credentialError { try await chain(["HOME": dir.path], transport: transport).credentials() })
        #expect(error.kind == .notConfigured)
        #expect(error.provider == "chain")
        #expect(error.causes.map(\.provider) == ["environment", "profile default", "web-identity", "container", "imds"])
        #expect(error.causes.allSatisfy { $0.kind == .notConfigured })
        #expect(error.description.contains("imds: IMDSv2 token request got no answer"))
        #expect(transport.requests.map(\.url.absoluteString) == ["http://169.254.169.254/latest/api/token"])
        #expect(!error.isAccessDenied)

        let disabled = try #require(await credentialError {
            try await chain(["HOME": dir.path, "AWS_EC2_METADATA_DISABLED": "true"], transport: transport).credentials()
        })
        #expect(disabled.causes.last?.detail == "AWS_EC2_METADATA_DISABLED is true")
        #expect(transport.requests.count == 1, "IMDS is not asked when disabled")
    }

    @Test func theChainSticksToTheProviderThatYielded() async throws {
        let chain = CredentialProviderChain([
            ("environment", EnvironmentCredentialProvider(environment: [:])),
            ("static", StaticCredentialProvider(Credentials(accessKeyID: "AKIDSTATIC", secretAccessKey: "s"))),
        ])
        #expect(chain.resolvedProviderName == nil)
        #expect(try await chain.credentials().accessKeyID == "AKIDSTATIC")
        #expect(chain.resolvedProviderName == "static")
    }

    @Test func aConfiguredProviderThatFailsStopsTheChainAndKeepsTheNotesSoFar() async throws {
        let transport = RecordingTransport { _ in HTTPResponse(status: 500) }
        let error = try #require(await credentialError {
            try await chain(["HOME": "/nonexistent", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "/creds"], transport: transport).credentials()
        })
        #expect(error.provider == "container")
        #expect(error.kind == .failed)
        #expect(error.status == 500)
        #expect(error.retryClass == .transient)
        #expect(error.causes.map(\.provider) == ["environment", "profile default", "web-identity"])
        #expect(transport.requests.map(\.url.absoluteString) == ["http://169.254.170.2/creds"], "IMDS is not tried after a failure")
    }
}
