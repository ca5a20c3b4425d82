import AWS
import Foundation
import Hashing
import Testing

/// Published figures: the AWS Signature Version 4 test suite (AKIDEXAMPLE, 2015-08-30T12:36:00Z,
/// us-east-1, service `service`) and the documented IAM ListUsers example.
@Suite struct SigV4Tests {
    static let credentials = Credentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
    static let date = Date(timeIntervalSince1970: 1_440_938_160)  // 20150830T123600Z
    static let stsToken = "AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfIeoIYRqTflfKD8YUuwthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0wq5VSXDvp75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA=="

    struct SuiteCase: Sendable, CustomTestStringConvertible {
        var name: String
        var method: String
        var pathAndQuery: String
        var headers: [(name: String, value: String)]
        var token: String? = nil
        var signedHeaders: String
        var signature: String
        var testDescription: String { name }
    }

    static let host = ("Host", "example.amazonaws.com")
    static let date8601 = ("X-Amz-Date", "20150830T123600Z")

    static let suite: [SuiteCase] = [
        SuiteCase(name: "get-vanilla", method: "GET", pathAndQuery: "/", headers: [host, date8601],
                  signedHeaders: "host;x-amz-date", signature: "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"),
        SuiteCase(name: "post-vanilla", method: "POST", pathAndQuery: "/", headers: [host, date8601],
                  signedHeaders: "host;x-amz-date", signature: "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"),
        SuiteCase(name: "post-sts-header-before", method: "POST", pathAndQuery: "/", headers: [host, date8601], token: stsToken,
                  signedHeaders: "host;x-amz-date;x-amz-security-token", signature: "85d96828115b5dc0cfc3bd16ad9e210dd772bbebba041836c64533a82be05ead"),
        SuiteCase(name: "get-vanilla-query-unreserved", method: "GET",
                  pathAndQuery: "/?-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz=-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
                  headers: [host, date8601],
                  signedHeaders: "host;x-amz-date", signature: "9c3e54bfcdf0b19771a7f523ee5669cdf59bc7cc0884027167c21bb143a40197"),
        // The suite's raw request line carries `ሴ`; on the wire it is `%E1%88%B4`.
        SuiteCase(name: "get-vanilla-utf8-query", method: "GET", pathAndQuery: "/?%E1%88%B4=bar", headers: [host, date8601],
                  signedHeaders: "host;x-amz-date", signature: "2cdec8eed098649ff3a119c94853b13c643bcf08f8b0a1d91e12c9027818dd04"),
        SuiteCase(name: "get-vanilla-query-order-key", method: "GET", pathAndQuery: "/?Param1=value2&Param1=Value1", headers: [host, date8601],
                  signedHeaders: "host;x-amz-date", signature: "eedbc4e291e521cf13422ffca22be7d2eb8146eecf653089df300a15b2382bd1"),
        SuiteCase(name: "get-vanilla-query-order-key-case", method: "GET", pathAndQuery: "/?Param2=value2&Param1=value1", headers: [host, date8601],
                  signedHeaders: "host;x-amz-date", signature: "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"),
        SuiteCase(name: "get-vanilla-query-order-value", method: "GET", pathAndQuery: "/?Param1=value2&Param1=value1", headers: [host, date8601],
                  signedHeaders: "host;x-amz-date", signature: "5772eed61e12b33fae39ee5e7012498b51d56abc0abb7c60486157bd471c4694"),
        SuiteCase(name: "get-header-value-trim", method: "GET", pathAndQuery: "/",
                  headers: [host, ("My-Header1", " value1"), ("My-Header2", " \"a   b   c\""), date8601],
                  signedHeaders: "host;my-header1;my-header2;x-amz-date", signature: "acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736"),
        SuiteCase(name: "get-header-key-duplicate", method: "GET", pathAndQuery: "/",
                  headers: [host, ("My-Header1", "value2"), ("My-Header1", "value2"), ("My-Header1", "value1"), date8601],
                  signedHeaders: "host;my-header1;x-amz-date", signature: "c9d5ea9f3f72853aea855b47ea873832890dbdd183b4468f858259531a5138ea"),
        SuiteCase(name: "get-header-value-order", method: "GET", pathAndQuery: "/",
                  headers: [host, ("My-Header1", "value4"), ("My-Header1", "value1"), ("My-Header1", "value3"), ("My-Header1", "value2"), date8601],
                  signedHeaders: "host;my-header1;x-amz-date", signature: "08c7e5a9acfcfeb3ab6b2185e75ce8b1deb5e634ec47601a50643f830c755c01"),
        SuiteCase(name: "post-header-key-case", method: "POST", pathAndQuery: "/", headers: [("host", "example.amazonaws.com"), ("x-amz-date", "20150830T123600Z")],
                  signedHeaders: "host;x-amz-date", signature: "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"),
        SuiteCase(name: "post-header-value-case", method: "POST", pathAndQuery: "/", headers: [host, ("My-Header1", "VALUE1"), date8601],
                  signedHeaders: "host;my-header1;x-amz-date", signature: "cdbc9802e29d2942e5e10b5bccfdd67c5f22c7c4e8ae67b53629efa58b974b7d"),
        SuiteCase(name: "get-unreserved", method: "GET", pathAndQuery: "/-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
                  headers: [host, date8601],
                  signedHeaders: "host;x-amz-date", signature: "07ef7494c76fa4850883e2b006601f940f8a34d404d0cfa977f52a65bbf5f24f"),
        SuiteCase(name: "get-slashes", method: "GET", pathAndQuery: "//example//", headers: [host, date8601],
                  signedHeaders: "host;x-amz-date", signature: "9a624bd73a37c9a373b5312afbebe7a714a789de108f0bdfe846570885f57e84"),
        SuiteCase(name: "get-relative-relative", method: "GET", pathAndQuery: "/example1/example2/../..", headers: [host, date8601],
                  signedHeaders: "host;x-amz-date", signature: "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"),
        SuiteCase(name: "get-slash-pointless-dot", method: "GET", pathAndQuery: "/./example", headers: [host, date8601],
                  signedHeaders: "host;x-amz-date", signature: "ef75d96142cf21edca26f06005da7988e4f8dc83a165a80865db7089db637ec5"),
    ]

    @Test(arguments: suite)
    func awsTestSuite(_ c: SuiteCase) throws {
        let signer = SigV4Signer(region: "us-east-1", service: "service")
        var request = HTTPRequest(method: c.method, url: try #require(URL(string: "https://example.amazonaws.com" + c.pathAndQuery)), headers: c.headers)
        var credentials = Self.credentials
        credentials.sessionToken = c.token
        signer.sign(&request, credentials: credentials, date: Self.date)
        #expect(request.header("Authorization") ==
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=\(c.signedHeaders), Signature=\(c.signature)")
        #expect(request.header("X-Amz-Date") == "20150830T123600Z")
        #expect(request.header("X-Amz-Security-Token") == c.token)
    }

    @Test func getVanillaIntermediateFigures() throws {
        let signer = SigV4Signer(region: "us-east-1", service: "service")
        var request = HTTPRequest(method: "GET", url: try #require(URL(string: "https://example.amazonaws.com/")))
        signer.prepare(&request, credentials: Self.credentials, date: Self.date)
        let result = signer.signature(of: request, credentials: Self.credentials, date: Self.date)
        #expect(result.canonicalRequest == """
            GET
            /

            host:example.amazonaws.com
            x-amz-date:20150830T123600Z

            host;x-amz-date
            e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
            """)
        #expect(result.stringToSign == """
            AWS4-HMAC-SHA256
            20150830T123600Z
            20150830/us-east-1/service/aws4_request
            bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63
            """)
        #expect(result.signature == "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31")
    }

    @Test func iamListUsersDocumentedExample() throws {
        let signer = SigV4Signer(region: "us-east-1", service: "iam")
        let url = try #require(URL(string: "https://iam.amazonaws.com/?Action=ListUsers&Version=2010-05-08"))
        let headers = [("content-type", "application/x-www-form-urlencoded; charset=utf-8"),
                       ("host", "iam.amazonaws.com"), ("x-amz-date", "20150830T123600Z")]
        let (canonical, signedHeaders) = SigV4Signer.canonicalRequest(
            method: "GET", url: url, headers: headers, payloadHash: SHA256.hexHash(""))
        #expect(signedHeaders == "content-type;host;x-amz-date")
        #expect(SHA256.hexHash(canonical) == "f536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59")
        let key = SigV4Signer.signingKey(secretAccessKey: Self.credentials.secretAccessKey, dateStamp: "20150830", region: "us-east-1", service: "iam")
        #expect(key.hexString == "c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9")
        #expect(signer.signingKey(secretAccessKey: Self.credentials.secretAccessKey, date: Self.date) == key)
        var request = HTTPRequest(method: "GET", url: url, headers: headers)
        signer.sign(&request, credentials: Self.credentials, date: Self.date)
        #expect(request.header("Authorization")?.hasSuffix("Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7") == true)
    }

    @Test func resigningReplacesAuthorizationDateAndStaleToken() throws {
        let signer = SigV4Signer(region: "us-east-1", service: "service")
        var request = HTTPRequest(method: "POST", url: try #require(URL(string: "https://example.amazonaws.com/")))
        var withToken = Self.credentials
        withToken.sessionToken = Self.stsToken
        signer.sign(&request, credentials: withToken, date: Self.date.addingTimeInterval(-3600))
        signer.sign(&request, credentials: Self.credentials, date: Self.date)
        #expect(request.headers.filter { $0.name.lowercased() == "authorization" }.count == 1)
        #expect(request.header("X-Amz-Security-Token") == nil)
        #expect(request.header("Authorization")?.hasSuffix("Signature=5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b") == true)
    }

    @Test func contentSHA256HeaderIsSignedWhenAsked() throws {
        let signer = SigV4Signer(region: "us-east-1", service: "service", addsContentSHA256Header: true)
        var request = HTTPRequest(method: "POST", url: try #require(URL(string: "https://example.amazonaws.com/")), body: Array("{}".utf8))
        signer.sign(&request, credentials: Self.credentials, date: Self.date)
        #expect(request.header("X-Amz-Content-SHA256") == SHA256.hexHash("{}"))
        #expect(request.header("Authorization")?.contains("SignedHeaders=host;x-amz-content-sha256;x-amz-date,") == true)
    }

    @Test func hostHeaderFromURLKeepsOnlyNonDefaultPorts() throws {
        #expect(SigV4Canonical.target(of: try #require(URL(string: "https://Example.com:443/a?b=c"))).host == "example.com")
        #expect(SigV4Canonical.target(of: try #require(URL(string: "http://127.0.0.1:8080"))).host == "127.0.0.1:8080")
        #expect(SigV4Canonical.target(of: try #require(URL(string: "http://user:pw@[::1]:80/x"))).host == "[::1]")
        let t = SigV4Canonical.target(of: try #require(URL(string: "https://h/p%20q/?x=1#frag")))
        #expect(t.path == "/p%20q/")
        #expect(t.query == "x=1")
    }

    @Test func canonicalisationRules() {
        #expect(SigV4Canonical.canonicalPath("/a%20b/./c/../d//") == "/a%2520b/d/")
        #expect(SigV4Canonical.canonicalQuery("b=%7e&a=x+y&a&c=%2f") == "a=&a=x%2By&b=~&c=%2F")
        #expect(SigV4Canonical.foldedValue("  a \t b\n  c  ") == "a b c")
    }

    @Test func signingKeysAreCachedPerDay() async throws {
        let signer = SigV4Signer(region: "eu-west-1", service: "sms-voice")
        let url = try #require(URL(string: "https://sms-voice.eu-west-1.amazonaws.com/"))
        let signatures = await withTaskGroup(of: String.self) { group in
            for _ in 0..<16 {
                group.addTask {
                    var request = HTTPRequest(method: "POST", url: url)
                    signer.sign(&request, credentials: Self.credentials, date: Self.date)
                    return request.header("Authorization") ?? ""
                }
            }
            return await group.reduce(into: Set<String>()) { $0.insert($1) }
        }
        #expect(signatures.count == 1)
        let today = signer.signingKey(secretAccessKey: Self.credentials.secretAccessKey, date: Self.date)
        let tomorrow = signer.signingKey(secretAccessKey: Self.credentials.secretAccessKey, date: Self.date.addingTimeInterval(86_400))
        #expect(today != tomorrow)
        #expect(today == SigV4Signer.signingKey(secretAccessKey: Self.credentials.secretAccessKey, dateStamp: "20150830", region: "eu-west-1", service: "sms-voice"))
    }
}
