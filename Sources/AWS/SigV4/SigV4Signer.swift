import Foundation
import Hashing
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// AWS Signature Version 4 (header signing). Pure: the date and the credentials are parameters.
///
/// `sign` sets `Host` (from the URL, when absent), `X-Amz-Date`, `X-Amz-Security-Token` (when the
/// credentials carry a session token; a stale one is removed otherwise), optionally
/// `X-Amz-Content-SHA256`, and `Authorization`. Every other header present is signed, except the
/// hop-by-hop ones in `SigV4Canonical.unsignedHeaders`; transports add `Content-Length` after signing.
/// If the request already carries `X-Amz-Content-SHA256`, its value is the payload hash (as in botocore).
public struct SigV4Signer: Sendable {
    public static let algorithm = "AWS4-HMAC-SHA256"

    public let region: String
    public let service: String
    /// Adds a signed `X-Amz-Content-SHA256` header (S3-style services want it; others ignore it).
    public let addsContentSHA256Header: Bool
    private let keyCache: SigningKeyCache

    public init(region: String, service: String, addsContentSHA256Header: Bool = false) {
        self.region = region
        self.service = service
        self.addsContentSHA256Header = addsContentSHA256Header
        self.keyCache = SigningKeyCache()
    }

    /// Everything one signature is made of, for tests and debug logs (no secrets in here).
    public struct Signature: Sendable, Equatable {
        public var canonicalRequest: String
        public var stringToSign: String
        public var signedHeaders: String
        public var credentialScope: String
        /// Lower-case hex.
        public var signature: String
        public var authorization: String
    }

    /// Signs the request in place.
    public func sign(_ request: inout HTTPRequest, credentials: Credentials, date: Date, payloadHash: String? = nil) {
        prepare(&request, credentials: credentials, date: date, payloadHash: payloadHash)
        let result = signature(of: request, credentials: credentials, date: date, payloadHash: payloadHash)
        request.setHeader("Authorization", result.authorization)
    }

    /// Sets the headers that are part of the signature (`Host`, `X-Amz-Date`, token, content hash)
    /// and removes a previous `Authorization` (a retry signs again).
    public func prepare(_ request: inout HTTPRequest, credentials: Credentials, date: Date, payloadHash: String? = nil) {
        request.headers.removeAll { $0.name.caseInsensitiveCompare("Authorization") == .orderedSame }
        if request.header("Host") == nil {
            request.headers.append(("Host", SigV4Canonical.target(of: request.url).host))
        }
        request.setHeader("X-Amz-Date", Self.timestamp(date))
        if let token = credentials.sessionToken {
            request.setHeader("X-Amz-Security-Token", token)
        } else {
            request.headers.removeAll { $0.name.caseInsensitiveCompare("X-Amz-Security-Token") == .orderedSame }
        }
        if addsContentSHA256Header {
            request.setHeader("X-Amz-Content-SHA256", payloadHash ?? SHA256.hexHash(request.body))
        }
    }

    /// The signature of a request exactly as it stands (headers already prepared).
    public func signature(of request: HTTPRequest, credentials: Credentials, date: Date, payloadHash: String? = nil) -> Signature {
        let hash = payloadHash ?? request.header("X-Amz-Content-SHA256") ?? SHA256.hexHash(request.body)
        let (canonical, signedHeaders) = Self.canonicalRequest(
            method: request.method, url: request.url, headers: request.headers, payloadHash: hash)
        let scope = credentialScope(date: date)
        let toSign = stringToSign(canonicalRequest: canonical, date: date)
        let key = signingKey(secretAccessKey: credentials.secretAccessKey, date: date)
        let signature = HMACSHA256.authenticate(key: key, message: toSign).hexString
        let authorization = "\(Self.algorithm) Credential=\(credentials.accessKeyID)/\(scope), SignedHeaders=\(signedHeaders), Signature=\(signature)"
        return Signature(canonicalRequest: canonical, stringToSign: toSign, signedHeaders: signedHeaders,
                         credentialScope: scope, signature: signature, authorization: authorization)
    }

    // MARK: - The pieces

    /// The canonical request and its `SignedHeaders` list.
    public static func canonicalRequest(
        method: String, url: URL, headers: [(name: String, value: String)], payloadHash: String
    ) -> (canonicalRequest: String, signedHeaders: String) {
        let target = SigV4Canonical.target(of: url)
        let (block, signed) = SigV4Canonical.canonicalHeaders(headers)
        let text = [
            method.uppercased(),
            SigV4Canonical.canonicalPath(target.path),
            SigV4Canonical.canonicalQuery(target.query),
            block,
            signed,
            payloadHash,
        ].joined(separator: "\n")
        return (text, signed)
    }

    /// `yyyymmdd/region/service/aws4_request`.
    public func credentialScope(date: Date) -> String {
        "\(Self.dateStamp(date))/\(region)/\(service)/aws4_request"
    }

    public func stringToSign(canonicalRequest: String, date: Date) -> String {
        [Self.algorithm, Self.timestamp(date), credentialScope(date: date), SHA256.hexHash(canonicalRequest)]
            .joined(separator: "\n")
    }

    /// The derived key for this signer's region and service, cached per secret and day.
    public func signingKey(secretAccessKey: String, date: Date) -> [UInt8] {
        let day = Self.dateStamp(date)
        return keyCache.key(secret: secretAccessKey, day: day) {
            Self.signingKey(secretAccessKey: secretAccessKey, dateStamp: day, region: region, service: service)
        }
    }

    /// `HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request")`.
    public static func signingKey(secretAccessKey: String, dateStamp: String, region: String, service: String) -> [UInt8] {
        let kDate = HMACSHA256.authenticate(key: Array("AWS4\(secretAccessKey)".utf8), message: dateStamp)
        let kRegion = HMACSHA256.authenticate(key: kDate, message: region)
        let kService = HMACSHA256.authenticate(key: kRegion, message: service)
        return HMACSHA256.authenticate(key: kService, message: "aws4_request")
    }

    /// `yyyyMMdd'T'HHmmss'Z'` in UTC (fractions of a second dropped).
    public static func timestamp(_ date: Date) -> String {
        let p = utcParts(date)
        return String(format: "%04d%02d%02dT%02d%02d%02dZ", p.year, p.month, p.day, p.hour, p.minute, p.second)
    }

    /// `yyyyMMdd` in UTC.
    public static func dateStamp(_ date: Date) -> String {
        let p = utcParts(date)
        return String(format: "%04d%02d%02d", p.year, p.month, p.day)
    }

    private static func utcParts(_ date: Date) -> (year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int) {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        return (Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1, Int(parts.tm_mday),
                Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec))
    }
}

/// Derived signing keys by (secret, day); region and service are fixed per signer.
/// Shared by concurrent signs through a mutex; bounded (keys of past days are dropped).
final class SigningKeyCache: Sendable {
    private struct Entry: Hashable {
        var secret: String
        var day: String
    }

    private let keys = Mutex<[Entry: [UInt8]]>([:])
    private let capacity = 8

    func key(secret: String, day: String, derive: () -> [UInt8]) -> [UInt8] {
        let entry = Entry(secret: secret, day: day)
        if let key = keys.withLock({ $0[entry] }) { return key }
        let key = derive()
        keys.withLock { cache in
            if cache.count >= capacity { cache.removeAll() }
            cache[entry] = key
        }
        return key
    }

    var count: Int { keys.withLock { $0.count } }
}
