import AWS
import Foundation
import Synchronization
import Testing
import TestSupport

@Suite struct CredentialsSTSTests {
    let wall = ManualWallClock()

    func sts(_ transport: any HTTPTransport) -> STSClient {
        STSClient(transport: transport, region: "eu-central-1")
    }

    @Test func assumeRoleSendsASignedQueryRequestAndParsesTheXML() async throws {
        let transport = RecordingTransport { _ in
            HTTPResponse(status: 200, body: STSFixtures.assumeRoleResponse(accessKeyID: "ASIAROLE", secret: "rolesecret", token: "roletoken"))
        }
        let provider = STSAssumeRoleProvider(
            source: StaticCredentialProvider(Credentials(accessKeyID: "AKIDSOURCE", secretAccessKey: "sourcesecret")),
            request: .init(roleARN: "arn:aws:iam::111122223333:role/optout-sync-cards", sessionName: "optout-sync",
                           externalID: "ext&id=1", durationSeconds: 3600),
            sts: sts(transport), now: wall.now)
        let credentials = try await provider.credentials()
        #expect(credentials == Credentials(accessKeyID: "ASIAROLE", secretAccessKey: "rolesecret", sessionToken: "roletoken",
                                           expiration: ISO8601DateFormatter().date(from: "2026-12-03T20:30:00Z")))

        let request = try #require(transport.requests.first)
        #expect(request.method == "POST")
        #expect(request.url.absoluteString == "https://sts.eu-central-1.amazonaws.com/")
        #expect(request.header("content-type") == "application/x-www-form-urlencoded; charset=utf-8")
        #expect(STSFixtures.form(request.body) == [
            "Action": "AssumeRole", "Version": "2011-06-15", "RoleArn": "arn:aws:iam::111122223333:role/optout-sync-cards",
            "RoleSessionName": "optout-sync", "ExternalId": "ext&id=1", "DurationSeconds": "3600",
        ])
        #expect(String(decoding: request.body, as: UTF8.self).contains("ExternalId=ext%26id%3D1"))
        let authorization = try #require(request.header("authorization"))
        #expect(authorization.hasPrefix("AWS4-HMAC-SHA256 Credential=AKIDSOURCE/"))
        #expect(authorization.contains("/eu-central-1/sts/aws4_request"))
    }

    @Test func accessDeniedIsTypedWithCodeAndRequestIDButNoSecrets() async throws {
        let transport = RecordingTransport { _ in
            HTTPResponse(status: 403, body: STSFixtures.errorResponse(
                code: "AccessDenied",
                message: "User: arn:aws:iam::1:user/x is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::1:role/r",
                requestID: "req-123"))
        }
        let provider = STSAssumeRoleProvider(
            source: StaticCredentialProvider(Credentials(accessKeyID: "AKIDSOURCE", secretAccessKey: "sourcesecret", sessionToken: "sourcetoken")),
            request: .init(roleARN: "arn:aws:iam::1:role/r", sessionName: "s", externalID: "ext"), sts: sts(transport), now: wall.now)
        let error = try #require(await credentialError { try await provider.credentials() })
        #expect(error.kind == .failed)
        #expect(error.isAccessDenied)
        #expect(error.status == 403)
        #expect(error.sts == STSError(code: "AccessDenied", message: "User: arn:aws:iam::1:user/x is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::1:role/r",
                                      type: "Sender", requestID: "req-123", status: 403))
        #expect(error.retryClass == .permanent)
        let text = error.description
        #expect(text.contains("sts-assume-role arn:aws:iam::1:role/r") && text.contains("AccessDenied") && text.contains("req-123"))
        #expect(!text.contains("sourcesecret") && !text.contains("sourcetoken"))
    }

    @Test func throttlingAndServerErrorsAreRetryableAndGarbageIsReported() async throws {
        let responses = Mutex([
            HTTPResponse(status: 400, body: STSFixtures.errorResponse(code: "Throttling", message: "Rate exceeded")),
            HTTPResponse(status: 503, headers: ["x-amzn-RequestId": "hdr-req"], body: Array("<html>busy</html>".utf8)),
            HTTPResponse(status: 200, body: Array("<AssumeRoleResponse><AssumeRoleResult/></AssumeRoleResponse>".utf8)),
        ])
        let transport = RecordingTransport { _ in responses.withLock { $0.removeFirst() } }
        let provider = STSAssumeRoleProvider(source: StaticCredentialProvider(Credentials(accessKeyID: "A", secretAccessKey: "S")),
                                             request: .init(roleARN: "arn:aws:iam::1:role/r", sessionName: "s"), sts: sts(transport), now: wall.now)
        let throttled = await credentialError { try await provider.credentials() }
        #expect(throttled?.retryClass == .throttling)
        let unavailable = await credentialError { try await provider.credentials() }
        #expect(unavailable?.retryClass == .transient)
        #expect(unavailable?.sts?.requestID == "hdr-req")
        let incomplete = await credentialError { try await provider.credentials() }
        #expect(incomplete?.kind == .failed)
        #expect(incomplete?.description.contains("no complete Credentials") == true)
    }

    @Test func aSourceThatIsNotConfiguredMakesTheRoleFail() async throws {
        let transport = RecordingTransport { _ in HTTPResponse(status: 500) }
        let provider = STSAssumeRoleProvider(source: EnvironmentCredentialProvider(environment: [:]),
                                             request: .init(roleARN: "arn:aws:iam::1:role/r", sessionName: "s"), sts: sts(transport), now: wall.now)
        let error = await credentialError { try await provider.credentials() }
        #expect(error?.kind == .failed)
        #expect(error?.provider == "sts-assume-role arn:aws:iam::1:role/r → environment")
        #expect(transport.requests.isEmpty)
    }

    @Test func webIdentityIsUnsignedAndNeverShowsTheToken() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let tokenFile = try dir.write("token", "eyJhbGciOiJSUzI1NiJ9.secret-jwt-body.sig\n")
        let responses = Mutex([
            HTTPResponse(status: 200, body: STSFixtures.assumeRoleResponse(action: "AssumeRoleWithWebIdentity",
                                                                          accessKeyID: "ASIAWEB", secret: "websecret", token: "webtoken")),
            HTTPResponse(status: 400, body: STSFixtures.errorResponse(code: "InvalidIdentityToken", message: "Incorrect token audience")),
        ])
        let transport = RecordingTransport { _ in responses.withLock { $0.removeFirst() } }
        let environment = ["AWS_WEB_IDENTITY_TOKEN_FILE": tokenFile, "AWS_ROLE_ARN": "arn:aws:iam::1:role/web"]
        let provider = try WebIdentityCredentialProvider(environment: environment, sts: sts(transport), now: wall.now)
        let credentials = try await provider.credentials()
        #expect(credentials.accessKeyID == "ASIAWEB" && credentials.sessionToken == "webtoken")
        let request = try #require(transport.requests.first)
        #expect(request.header("authorization") == nil)
        #expect(STSFixtures.form(request.body) == [
            "Action": "AssumeRoleWithWebIdentity", "Version": "2011-06-15", "RoleArn": "arn:aws:iam::1:role/web",
            "RoleSessionName": "optout-sync-1796000000", "WebIdentityToken": "eyJhbGciOiJSUzI1NiJ9.secret-jwt-body.sig",
        ])

        let error = try #require(await credentialError { try await provider.credentials() })
        #expect(error.sts?.code == "InvalidIdentityToken")
        #expect(!error.description.contains("secret-jwt-body"))

        let notSet = #expect(throws: CredentialError.self) {
            try WebIdentityCredentialProvider(environment: [:], sts: sts(transport), now: wall.now)
        }
        #expect(notSet?.kind == .notConfigured)
    }

    @Test func roleFactorySharesOneCachedProviderPerRoleAndExternalID() async throws {
        let gate = ManualClock() // holds STS's answer until every caller is waiting
        let transport = RecordingTransport { _ in
            try await gate.sleep(for: .seconds(1))
            return HTTPResponse(status: 200, body: STSFixtures.assumeRoleResponse(accessKeyID: "ASIASHARED", secret: "s", token: "t"))
        }
        let factory = RoleProviderFactory(sts: sts(transport), now: wall.now)
        let base = StaticCredentialProvider(Credentials(accessKeyID: "AKIDBASE", secretAccessKey: "b"))
        let cards = factory.roleProvider(for: "arn:aws:iam::1:role/shared", externalID: "x", base: base)
        let loans = factory.roleProvider(for: "arn:aws:iam::1:role/shared", externalID: "x", base: base)
        let other = factory.roleProvider(for: "arn:aws:iam::1:role/shared", externalID: "y", base: base)
        let cardsCache = try #require(cards as? CachingCredentialProvider)
        #expect(cardsCache === (loans as? CachingCredentialProvider))
        #expect(cardsCache !== (other as? CachingCredentialProvider))

        async let results = withThrowingTaskGroup(of: String.self) { group in
            for index in 0..<20 {
                group.addTask { try await (index.isMultiple(of: 2) ? cards : loans).credentials().accessKeyID }
            }
            return try await group.reduce(into: [String]()) { $0.append($1) }
        }
        await gate.waitForSleepers(1)
        for _ in 0..<1000 { await Task.yield() }
        gate.advance(by: .seconds(1))
        let keys = try await results
        #expect(keys == Array(repeating: "ASIASHARED", count: 20))
        #expect(transport.requests.count == 1, "BUs sharing a role share one AssumeRole")
        #expect(STSFixtures.form(transport.requests[0].body)["RoleSessionName"] == "optout-sync")
    }
}
