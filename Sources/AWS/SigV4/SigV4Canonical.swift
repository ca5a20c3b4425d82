import Foundation

/// The pure canonicalisation rules of Signature Version 4 (no keys, no dates).
///
/// Paths follow the rule for every service except S3 (and botocore's `SigV4Auth`): the path as it
/// goes on the wire is normalised (dot segments and empty segments removed) and URI-encoded once
/// more, so `%` becomes `%25`. Query strings are split into pairs, each name and value decoded and
/// re-encoded with the SigV4 alphabet, then sorted by name and value. Header names are lower-cased,
/// values trimmed with inner whitespace runs folded to one space, repeated headers joined with `,`.
public enum SigV4Canonical {
    /// Headers never signed: hop-by-hop headers and ones proxies or SDKs rewrite (the list botocore uses).
    public static let unsignedHeaders: Set<String> = [
        "authorization", "connection", "expect", "keep-alive", "proxy-authenticate", "proxy-authorization",
        "te", "trailer", "transfer-encoding", "upgrade", "user-agent", "x-amzn-trace-id",
    ]

    /// The pieces of a URL the signature covers, taken from the text of the URL as sent.
    public struct Target: Sendable, Equatable {
        /// The host header value: lower-case host, `:port` only when not the scheme's default.
        public var host: String
        /// The path as on the wire (percent-encoded), `/` when empty.
        public var path: String
        /// The query as on the wire (without `?`), empty when none.
        public var query: String
    }

    public static func target(of url: URL) -> Target {
        var rest = Substring(url.absoluteString)
        var scheme = ""
        if let range = rest.range(of: "://") {
            scheme = rest[..<range.lowerBound].lowercased()
            rest = rest[range.upperBound...]
        }
        if let hash = rest.firstIndex(of: "#") { rest = rest[..<hash] }
        let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" }) ?? rest.endIndex
        var authority = rest[..<authorityEnd]
        rest = rest[authorityEnd...]
        if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
        var host = Substring(authority)
        var port: Substring? = nil
        // The last ':' after any IPv6 bracket separates the port.
        let bracketEnd = authority.lastIndex(of: "]") ?? authority.startIndex
        if let colon = authority[bracketEnd...].lastIndex(of: ":") {
            host = authority[..<colon]
            port = authority[authority.index(after: colon)...]
        }
        var hostHeader = host.lowercased()
        if let port, !port.isEmpty, !(scheme == "https" && port == "443"), !(scheme == "http" && port == "80") {
            hostHeader += ":" + port
        }
        var path = rest
        var query: Substring = ""
        if let question = rest.firstIndex(of: "?") {
            path = rest[..<question]
            query = rest[rest.index(after: question)...]
        }
        return Target(host: hostHeader, path: path.isEmpty ? "/" : String(path), query: String(query))
    }

    /// RFC 3986 dot-segment removal, also dropping empty segments (`//`), keeping a trailing slash.
    public static func normalizedPath(_ path: String) -> String {
        guard !path.isEmpty else { return "/" }
        var output: [Substring] = []
        for segment in path.split(separator: "/", omittingEmptySubsequences: true) {
            switch segment {
            case ".": continue
            case "..": if !output.isEmpty { output.removeLast() }
            default: output.append(segment)
            }
        }
        let first = path.hasPrefix("/") ? "/" : ""
        let last = path.hasSuffix("/") && !output.isEmpty ? "/" : ""
        return first + output.joined(separator: "/") + last
    }

    /// The canonical URI: the normalised wire path, URI-encoded again (slashes kept).
    public static func canonicalPath(_ wirePath: String) -> String {
        uriEncode(Array(normalizedPath(wirePath).utf8), keepSlash: true)
    }

    /// The canonical query string: pairs decoded, re-encoded, sorted by encoded name then value.
    public static func canonicalQuery(_ wireQuery: String) -> String {
        guard !wireQuery.isEmpty else { return "" }
        var pairs: [(name: String, value: String)] = []
        for item in wireQuery.split(separator: "&", omittingEmptySubsequences: false) {
            let parts = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = uriEncode(percentDecode(parts[0]), keepSlash: false)
            let value = parts.count > 1 ? uriEncode(percentDecode(parts[1]), keepSlash: false) : ""
            pairs.append((name, value))
        }
        pairs.sort { a, b in
            a.name != b.name ? a.name.utf8.lexicographicallyPrecedes(b.name.utf8) : a.value.utf8.lexicographicallyPrecedes(b.value.utf8)
        }
        return pairs.map { "\($0.name)=\($0.value)" }.joined(separator: "&")
    }

    /// Trims a header value and folds every run of whitespace (spaces, tabs, line breaks) into one space.
    public static func foldedValue(_ value: String) -> String {
        value.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" || $0 == "\u{0B}" || $0 == "\u{0C}" })
            .joined(separator: " ")
    }

    /// Canonical headers block (each line ending in a newline) and the `SignedHeaders` list.
    public static func canonicalHeaders(_ headers: [(name: String, value: String)]) -> (block: String, signedHeaders: String) {
        var grouped: [String: [String]] = [:]
        for (name, value) in headers {
            let lower = name.lowercased().trimmingCharacters(in: .whitespaces)
            guard !unsignedHeaders.contains(lower) else { continue }
            grouped[lower, default: []].append(foldedValue(value))
        }
        let names = grouped.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        var block = ""
        for name in names {
            block += name + ":" + grouped[name]!.joined(separator: ",") + "\n"
        }
        return (block, names.joined(separator: ";"))
    }

    /// `URI-encode` of the SigV4 spec: unreserved characters (`A-Za-z0-9-_.~`) kept, every other
    /// byte as `%XX` with upper-case hex; `/` kept only in paths.
    public static func uriEncode(_ bytes: [UInt8], keepSlash: Bool) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"):
                out.append(byte)
            case UInt8(ascii: "/") where keepSlash:
                out.append(byte)
            default:
                out.append(UInt8(ascii: "%"))
                out.append(hex[Int(byte >> 4)])
                out.append(hex[Int(byte & 0x0f)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    public static func uriEncode(_ string: String, keepSlash: Bool = false) -> String {
        uriEncode(Array(string.utf8), keepSlash: keepSlash)
    }

    /// Decodes `%XX` escapes (malformed escapes stay as they are; `+` is not a space).
    public static func percentDecode(_ text: Substring) -> [UInt8] {
        let bytes = Array(text.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = 0
        while i < bytes.count {
            if bytes[i] == UInt8(ascii: "%"), i + 2 < bytes.count,
               let high = hexValue(bytes[i + 1]), let low = hexValue(bytes[i + 2]) {
                out.append(high << 4 | low)
                i += 3
            } else {
                out.append(bytes[i])
                i += 1
            }
        }
        return out
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
