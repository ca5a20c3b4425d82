import Foundation
import Hashing

/// Credentials the emulator accepts. A session token, when set, must accompany every request.
public struct EmulatorCredential: Sendable, Equatable {
    public var accessKeyID: String
    public var secretAccessKey: String
    public var sessionToken: String?

    public init(accessKeyID: String, secretAccessKey: String, sessionToken: String? = nil) {
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
    }

    /// Parses the CLI's `AKID:SECRET[:TOKEN]` (`--credentials`); nil when malformed.
    public init?(argument: String) {
        let parts = argument.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
        guard parts.count >= 2, !parts[0].isEmpty, !parts[1].isEmpty, parts.count == 2 || !parts[2].isEmpty else { return nil }
        self.init(accessKeyID: parts[0], secretAccessKey: parts[1], sessionToken: parts.count == 3 ? parts[2] : nil)
    }

    /// The AWS SigV4 test-suite credentials, accepted by default (spec/cli.md).
    public static let awsTestSuite = EmulatorCredential(accessKeyID: "AKIDEXAMPLE",
                                                        secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
}

/// Verifies AWS Signature Version 4 (`Authorization` header form) the way the service does: it rebuilds
/// the canonical request from what arrived on the wire and recomputes the signature. Written from the
/// SigV4 specification, independently of the client's signer, so that a client bug cannot hide here.
struct SigV4Verifier: Sendable {
    var credentials: [String: EmulatorCredential]
    var region: String
    var service = "sms-voice"
    /// AWS refuses requests whose X-Amz-Date is more than 5 minutes off.
    var maxSkew: TimeInterval = 300

    init(credentials: [EmulatorCredential], region: String) {
        self.credentials = Dictionary(credentials.map { ($0.accessKeyID, $0) }, uniquingKeysWith: { a, _ in a })
        self.region = region
    }

    static let mismatch = "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."

    func verify(method: String, path: String, query: String, headers: [(name: String, value: String)],
                body: [UInt8], now: Date) -> APIError? {
        func header(_ name: String) -> [String] { headers.filter { $0.name == name }.map(\.value) }
        guard let authorization = header("authorization").first else {
            return APIError("MissingAuthenticationTokenException", status: 403, "Missing Authentication Token")
        }
        guard authorization.hasPrefix("AWS4-HMAC-SHA256 ") else {
            return APIError("IncompleteSignatureException", status: 403, "Unsupported Authorization scheme; expected AWS4-HMAC-SHA256.")
        }
        var fields: [String: String] = [:]
        for part in authorization.dropFirst("AWS4-HMAC-SHA256 ".count).split(separator: ",") {
            let pair = part.trimmingCharacters(in: .whitespaces)
            guard let eq = pair.firstIndex(of: "=") else { continue }
            fields[String(pair[..<eq])] = String(pair[pair.index(after: eq)...])
        }
        guard let credential = fields["Credential"], let signedHeaderList = fields["SignedHeaders"], let signature = fields["Signature"] else {
            return APIError("IncompleteSignatureException", status: 403,
                            "Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' parameters.")
        }
        let scopeParts = credential.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard scopeParts.count == 5, scopeParts[4] == "aws4_request" else {
            return APIError("IncompleteSignatureException", status: 403, "Credential must have the form AKID/date/region/service/aws4_request.")
        }
        let (akid, scopeDate, scopeRegion, scopeService) = (scopeParts[0], scopeParts[1], scopeParts[2], scopeParts[3])
        guard let known = credentials[akid] else {
            return APIError("UnrecognizedClientException", status: 403, "The security token included in the request is invalid.")
        }
        if header("x-amz-security-token").first != known.sessionToken {
            return APIError("UnrecognizedClientException", status: 403, "The security token included in the request is invalid.")
        }
        guard let amzDate = header("x-amz-date").first, let requestTime = Self.parseAmzDate(amzDate) else {
            return APIError("IncompleteSignatureException", status: 403, "Authorization requires a valid X-Amz-Date header.")
        }
        if requestTime < now.addingTimeInterval(-maxSkew) {
            return APIError("InvalidSignatureException", status: 403,
                            "Signature expired: \(amzDate) is now earlier than \(Self.formatAmzDate(now.addingTimeInterval(-maxSkew))) (\(Self.formatAmzDate(now)) - 5 min.)")
        }
        if requestTime > now.addingTimeInterval(maxSkew) {
            return APIError("InvalidSignatureException", status: 403,
                            "Signature not yet current: \(amzDate) is still later than \(Self.formatAmzDate(now.addingTimeInterval(maxSkew))) (\(Self.formatAmzDate(now)) + 5 min.)")
        }
        guard scopeDate == String(amzDate.prefix(8)) else {
            return APIError("InvalidSignatureException", status: 403,
                            "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '\(scopeDate)' != '\(amzDate.prefix(8))'")
        }
        guard scopeRegion == region else {
            return APIError("InvalidSignatureException", status: 403, "Credential should be scoped to a valid region, not '\(scopeRegion)'.")
        }
        guard scopeService == service else {
            return APIError("InvalidSignatureException", status: 403, "Credential should be scoped to correct service: '\(service)'.")
        }
        let signedHeaders = signedHeaderList.split(separator: ";").map { String($0) }
        guard signedHeaders.contains("host") else {
            return APIError("InvalidSignatureException", status: 403, "'Host' must be a 'SignedHeader' in the AWS Authorization.")
        }
        let expected = Self.signature(secret: known.secretAccessKey, method: method, path: path, query: query, headers: headers,
                                      signedHeaders: signedHeaders, body: body, amzDate: amzDate,
                                      scope: (scopeDate, scopeRegion, scopeService))
        guard expected == signature else { return APIError("InvalidSignatureException", status: 403, Self.mismatch) }
        return nil
    }

    /// The signature of a request as it arrived: canonical request, string to sign, derived key.
    static func signature(secret: String, method: String, path: String, query: String, headers: [(name: String, value: String)],
                          signedHeaders: [String], body: [UInt8], amzDate: String,
                          scope: (date: String, region: String, service: String)) -> String {
        let canonicalHeaders = signedHeaders.map { name in
            name + ":" + headers.filter { $0.name == name }.map { collapseSpaces($0.value) }.joined(separator: ",") + "\n"
        }.joined()
        let canonicalRequest = [method, path.isEmpty ? "/" : path, canonicalQuery(query), canonicalHeaders,
                                signedHeaders.joined(separator: ";"), SHA256.hexHash(body)].joined(separator: "\n")
        let scopeText = "\(scope.date)/\(scope.region)/\(scope.service)/aws4_request"
        let stringToSign = "AWS4-HMAC-SHA256\n\(amzDate)\n\(scopeText)\n\(SHA256.hexHash(canonicalRequest))"
        var key = Array(("AWS4" + secret).utf8)
        for part in [scope.date, scope.region, scope.service, "aws4_request"] { key = HMACSHA256.authenticate(key: key, message: part) }
        return HMACSHA256.authenticate(key: key, message: stringToSign).hexString
    }

    /// Headers that sign a request for this verifier (tests and the benchmark's request builder).
    /// `headers` must be lower-cased and include `host`.
    static func sign(method: String, path: String, headers: [(name: String, value: String)], body: [UInt8],
                     credential: EmulatorCredential, region: String, date: Date) -> [(name: String, value: String)] {
        let amzDate = formatAmzDate(date)
        var all = headers + [("x-amz-date", amzDate)]
        if let token = credential.sessionToken { all.append(("x-amz-security-token", token)) }
        let names = Array(Set(all.map(\.name))).sorted()
        let scope = (String(amzDate.prefix(8)), region, "sms-voice")
        let signature = signature(secret: credential.secretAccessKey, method: method, path: path, query: "", headers: all,
                                  signedHeaders: names, body: body, amzDate: amzDate, scope: scope)
        all.append(("authorization", "AWS4-HMAC-SHA256 Credential=\(credential.accessKeyID)/\(scope.0)/\(region)/sms-voice/aws4_request, SignedHeaders=\(names.joined(separator: ";")), Signature=\(signature)"))
        return all
    }

    static func collapseSpaces(_ value: String) -> String {
        value.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
    }

    /// Query parameters sorted by name then value, each re-encoded with RFC 3986's unreserved set.
    static func canonicalQuery(_ query: String) -> String {
        guard !query.isEmpty else { return "" }
        let pairs = query.split(separator: "&").map { item -> (String, String) in
            let kv = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let decode = { (s: Substring) in s.removingPercentEncoding ?? String(s) }
            return (encode(decode(kv[0])), encode(kv.count > 1 ? decode(kv[1]) : ""))
        }
        return pairs.sorted { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }.map { "\($0.0)=\($0.1)" }.joined(separator: "&")
    }

    static func encode(_ s: String) -> String {
        var out = ""
        for byte in s.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                out += String(format: "%%%02X", byte)
            }
        }
        return out
    }

    /// `20150830T123600Z` -> Date (UTC), without a DateFormatter.
    static func parseAmzDate(_ s: String) -> Date? {
        let chars = Array(s.utf8)
        guard chars.count == 16, chars[8] == UInt8(ascii: "T"), chars[15] == UInt8(ascii: "Z") else { return nil }
        func num(_ range: Range<Int>) -> Int? { Int(String(decoding: chars[range], as: UTF8.self)) }
        guard let y = num(0..<4), let mo = num(4..<6), let d = num(6..<8), let h = num(9..<11), let mi = num(11..<13),
              let sec = num(13..<15), (1...12).contains(mo), (1...31).contains(d), h < 24, mi < 60, sec < 61 else { return nil }
        // Days from civil (Howard Hinnant's algorithm).
        let yy = mo <= 2 ? y - 1 : y
        let era = (yy >= 0 ? yy : yy - 399) / 400
        let yoe = yy - era * 400
        let doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        let days = era * 146_097 + doe - 719_468
        return Date(timeIntervalSince1970: TimeInterval(days * 86_400 + h * 3600 + mi * 60 + sec))
    }

    static func formatAmzDate(_ date: Date) -> String {
        var t = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&t, &parts)
        return String(format: "%04d%02d%02dT%02d%02d%02dZ", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1, Int(parts.tm_mday),
                      Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec))
    }
}
