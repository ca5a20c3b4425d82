import AWS
import Foundation
import Hashing
import Testing

/// Cross-implementation check: botocore's `SigV4Auth` (Tests/AWSTests/Python/sigv4_oracle.py) signs
/// the same generated requests as the Swift signer and the signatures must be equal.
///
/// Both see identical inputs: the URL text as sent (paths and queries encoded the way SigV4 encodes,
/// upper-case hex), the same header list (repeated names kept, whitespace runs, mixed case), the same
/// body, credentials (some with session tokens), region, service and instant. botocore takes the
/// date from its clock (patched to the instant) and sets X-Amz-Date / X-Amz-Security-Token itself,
/// as the Swift signer does. Not generated, because the two differ on purpose: a `Date` header
/// (botocore then signs `Date` instead of `X-Amz-Date`), hand-made `X-Amz-Date`, `Authorization`
/// or token headers, and lower-case or missing percent-escapes in queries (botocore signs the query
/// text verbatim; the Swift signer re-encodes it canonically, which AWS does too).
@Suite struct SigV4BotocoreTests {
    @Test func signaturesMatchBotocoreForGeneratedRequests() throws {
        var random = SplitMix64(seed: 0x5EED_516_F4)
        let requests = (0..<400).map { _ in GeneratedRequest.make(&random) }
        let answers = try PythonJudge.run(script: "sigv4_oracle.py", lines: requests.map(\.json))
        try #require(answers.count == requests.count)
        var mismatches = 0
        for (generated, answer) in zip(requests, answers) {
            let signer = SigV4Signer(region: generated.region, service: generated.service)
            var request = generated.request
            signer.sign(&request, credentials: generated.credentials, date: generated.date)
            let ours = try #require(request.header("Authorization"))
            let theirs = answer["signature"] as? String ?? "?"
            if !ours.hasSuffix("Signature=\(theirs)") {
                mismatches += 1
                if mismatches <= 3 {
                    let detail = signer.signature(of: request, credentials: generated.credentials, date: generated.date)
                    Issue.record("""
                        signature differs for \(generated.request.method) \(generated.request.url.absoluteString)
                        swift canonical request:
                        \(detail.canonicalRequest)
                        botocore canonical request:
                        \(answer["canonical_request"] as? String ?? "?")
                        """)
                }
            }
        }
        #expect(mismatches == 0)
    }
}

/// A small seeded generator (SplitMix64), so failures reproduce.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

struct GeneratedRequest {
    var request: HTTPRequest
    var credentials: Credentials
    var region: String
    var service: String
    var date: Date

    static let pathAlphabet = Array("abcXYZ019-_.~ %+=&:@!$'()*,;éሴ")
    static let queryAlphabet = Array("abcXYZ019-_.~ %+=&/?:@!$'()*,;#éሴ")
    static let headerValueAlphabet = Array("abcXYZ019-_.~%+=&/?:@!$'()*,;\"")

    static func make(_ random: inout SplitMix64) -> GeneratedRequest {
        let method = ["GET", "POST", "PUT", "DELETE", "post"].randomElement(using: &random)!
        let authority = ["example.amazonaws.com", "sms-voice.eu-west-1.amazonaws.com", "Sms-Voice.US-EAST-1.amazonaws.com",
                         "127.0.0.1:4566", "localhost:443", "[::1]:8080"].randomElement(using: &random)!
        let scheme = ["https", "http"].randomElement(using: &random)!

        var segments: [String] = []
        for _ in 0..<Int.random(in: 0...4, using: &random) {
            switch Int.random(in: 0..<10, using: &random) {
            case 0: segments.append(".")
            case 1: segments.append("..")
            case 2: segments.append("")
            default: segments.append(SigV4Canonical.uriEncode(word(pathAlphabet, 1...8, &random)))
            }
        }
        var path = "/" + segments.joined(separator: "/")
        if Bool.random(using: &random) && !segments.isEmpty { path += "/" }

        var pairs: [String] = []
        for _ in 0..<Int.random(in: 0...4, using: &random) {
            let name = Int.random(in: 0..<5, using: &random) == 0 && !pairs.isEmpty
                ? String(pairs.last!.split(separator: "=").first ?? "") // repeated key
                : SigV4Canonical.uriEncode(word(queryAlphabet, 1...6, &random))
            switch Int.random(in: 0..<6, using: &random) {
            case 0: pairs.append(name)
            case 1: pairs.append(name + "=")
            default: pairs.append(name + "=" + SigV4Canonical.uriEncode(word(queryAlphabet, 0...10, &random)))
            }
        }
        let query = pairs.isEmpty ? "" : "?" + pairs.joined(separator: "&")

        var headers: [(name: String, value: String)] = []
        let names = ["Content-Type", "X-Amz-Target", "my-header", "MY-HEADER", "X-Custom-1", "x-amz-meta-a", "User-Agent", "Accept"]
        for _ in 0..<Int.random(in: 0...5, using: &random) {
            let name = names.randomElement(using: &random)!
            var value = ""
            for _ in 0..<Int.random(in: 1...3, using: &random) {
                value += String(repeating: " ", count: Int.random(in: 0...3, using: &random))
                if Int.random(in: 0..<6, using: &random) == 0 { value += "\t" }
                value += word(headerValueAlphabet, 0...8, &random)
            }
            headers.append((name, value))
        }

        let body: [UInt8] = method == "GET" ? [] : (0..<Int.random(in: 0...64, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
        let credentials = Credentials(
            accessKeyID: "AKID" + word(Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"), 16...16, &random),
            secretAccessKey: word(Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+/"), 40...40, &random),
            sessionToken: Bool.random(using: &random) ? word(Array("abcdefXYZ0123456789+/="), 20...80, &random) : nil)
        let date = Date(timeIntervalSince1970: TimeInterval(Int.random(in: 946_684_800...1_924_992_000, using: &random)))
        let url = URL(string: "\(scheme)://\(authority)\(path)\(query)")!
        return GeneratedRequest(
            request: HTTPRequest(method: method, url: url, headers: headers, body: body),
            credentials: credentials,
            region: ["us-east-1", "eu-west-1", "ap-southeast-2"].randomElement(using: &random)!,
            service: ["sms-voice", "sts", "service"].randomElement(using: &random)!,
            date: date)
    }

    static func word(_ alphabet: [Character], _ length: ClosedRange<Int>, _ random: inout SplitMix64) -> String {
        String((0..<Int.random(in: length, using: &random)).map { _ in alphabet.randomElement(using: &random)! })
    }

    var json: [String: Any] {
        [
            "method": request.method,
            "url": request.url.absoluteString,
            "headers": request.headers.map { [$0.name, $0.value] },
            "body_hex": request.body.hexString,
            "access_key": credentials.accessKeyID,
            "secret_key": credentials.secretAccessKey,
            "token": credentials.sessionToken as Any? ?? NSNull(),
            "region": region,
            "service": service,
            "epoch": Int(date.timeIntervalSince1970),
        ]
    }
}
