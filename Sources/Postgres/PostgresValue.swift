import Foundation

/// A PostgreSQL type OID, as used for bind parameters.
public struct PostgresType: RawRepresentable, Hashable, Sendable {
    public var rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    public static let bool = PostgresType(rawValue: 16)
    public static let bytea = PostgresType(rawValue: 17)
    public static let int8 = PostgresType(rawValue: 20)
    public static let int4 = PostgresType(rawValue: 23)
    public static let text = PostgresType(rawValue: 25)
    public static let float8 = PostgresType(rawValue: 701)
    public static let textArray = PostgresType(rawValue: 1009)
    public static let timestamptz = PostgresType(rawValue: 1184)
    /// Let the server infer the type from the statement.
    public static let unspecified = PostgresType(rawValue: 0)
}

/// One bound parameter: its type and its text-format value (nil = SQL NULL).
public struct PostgresBind: Sendable, Equatable {
    public var type: PostgresType
    public var text: String?
    public init(type: PostgresType, text: String?) {
        self.type = type
        self.text = text
    }
}

/// A Swift value that can be sent as a bound parameter (always in text format, with an explicit type).
public protocol PostgresEncodable: Sendable {
    static var postgresType: PostgresType { get }
    /// The value in PostgreSQL's text input format; nil means NULL.
    var postgresText: String? { get }
}

/// A Swift value that can be read from a column in text format.
public protocol PostgresDecodable {
    /// Parses PostgreSQL's text output format; nil when the text is not a valid value of this type.
    init?(postgresText: Substring)
}

extension PostgresEncodable {
    public var postgresBind: PostgresBind { PostgresBind(type: Self.postgresType, text: postgresText) }
}

extension String: PostgresEncodable, PostgresDecodable {
    public static var postgresType: PostgresType { .text }
    public var postgresText: String? { self }
    public init?(postgresText: Substring) { self = String(postgresText) }
}

extension Substring: PostgresEncodable {
    public static var postgresType: PostgresType { .text }
    public var postgresText: String? { String(self) }
}

extension Int64: PostgresEncodable, PostgresDecodable {
    public static var postgresType: PostgresType { .int8 }
    public var postgresText: String? { String(self) }
    public init?(postgresText: Substring) { self.init(postgresText, radix: 10) }
}

extension Int: PostgresEncodable, PostgresDecodable {
    public static var postgresType: PostgresType { .int8 }
    public var postgresText: String? { String(self) }
    public init?(postgresText: Substring) { self.init(postgresText, radix: 10) }
}

extension Int32: PostgresEncodable, PostgresDecodable {
    public static var postgresType: PostgresType { .int4 }
    public var postgresText: String? { String(self) }
    public init?(postgresText: Substring) { self.init(postgresText, radix: 10) }
}

extension Bool: PostgresEncodable, PostgresDecodable {
    public static var postgresType: PostgresType { .bool }
    public var postgresText: String? { self ? "t" : "f" }
    public init?(postgresText: Substring) {
        switch postgresText {
        case "t", "true": self = true
        case "f", "false": self = false
        default: return nil
        }
    }
}

extension Double: PostgresEncodable, PostgresDecodable {
    public static var postgresType: PostgresType { .float8 }
    public var postgresText: String? {
        if isNaN { return "NaN" }
        if isInfinite { return self > 0 ? "Infinity" : "-Infinity" }
        return String(self)
    }
    public init?(postgresText: Substring) {
        switch postgresText {
        case "NaN": self = .nan
        case "Infinity": self = .infinity
        case "-Infinity": self = -.infinity
        default: self.init(String(postgresText))
        }
    }
}

extension Date: PostgresEncodable, PostgresDecodable {
    public static var postgresType: PostgresType { .timestamptz }
    public var postgresText: String? { PostgresTimestamp.format(self) }
    public init?(postgresText: Substring) {
        guard let date = PostgresTimestamp.parse(postgresText) else { return nil }
        self = date
    }
}

extension Array: PostgresEncodable where Element == String {
    public static var postgresType: PostgresType { .textArray }
    public var postgresText: String? { PostgresTextArray.format(self) }
}

extension Array: PostgresDecodable where Element == String {
    public init?(postgresText: Substring) {
        guard let elements = PostgresTextArray.parse(postgresText) else { return nil }
        // NULL elements are not representable in [String]; use [String?] semantics elsewhere if needed.
        guard elements.allSatisfy({ $0 != nil }) else { return nil }
        self = elements.map { $0! }
    }
}

/// `bytea` in hex format (`\x0a1b…`).
public struct PostgresBytes: PostgresEncodable, PostgresDecodable, Hashable {
    public var bytes: [UInt8]
    public init(_ bytes: [UInt8]) { self.bytes = bytes }
    public static var postgresType: PostgresType { .bytea }
    public var postgresText: String? {
        let hex = Array("0123456789abcdef".utf8)
        var out: [UInt8] = [UInt8(ascii: "\\"), UInt8(ascii: "x")]
        out.reserveCapacity(2 + bytes.count * 2)
        for b in bytes {
            out.append(hex[Int(b >> 4)])
            out.append(hex[Int(b & 15)])
        }
        return String(decoding: out, as: UTF8.self)
    }
    public init?(postgresText: Substring) {
        let utf8 = Array(postgresText.utf8)
        guard utf8.count >= 2, utf8[0] == UInt8(ascii: "\\"), utf8[1] == UInt8(ascii: "x"), utf8.count % 2 == 0 else { return nil }
        func nibble(_ c: UInt8) -> UInt8? {
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
            default: nil
            }
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity((utf8.count - 2) / 2)
        var i = 2
        while i < utf8.count {
            guard let hi = nibble(utf8[i]), let lo = nibble(utf8[i + 1]) else { return nil }
            bytes.append(hi << 4 | lo)
            i += 2
        }
        self.bytes = bytes
    }
}

extension Optional: PostgresEncodable where Wrapped: PostgresEncodable {
    public static var postgresType: PostgresType { Wrapped.postgresType }
    public var postgresText: String? { self.flatMap(\.postgresText) }
}

/// timestamptz in and out of text. Output is ISO with microseconds in UTC; input accepts the
/// server's ISO output (`DateStyle=ISO`, which the connection sets) with any offset.
enum PostgresTimestamp {
    static func format(_ date: Date) -> String {
        let micros = (date.timeIntervalSince1970 * 1_000_000).rounded()
        var seconds = Int(floor(micros / 1_000_000))
        let fraction = Int(micros - Double(seconds) * 1_000_000)
        var tm = tm()
        gmtime_r(&seconds, &tm)
        func pad(_ value: Int32, _ width: Int) -> String {
            let s = String(value)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        let frac = String(fraction)
        let fracText = String(repeating: "0", count: 6 - frac.count) + frac
        return "\(pad(tm.tm_year + 1900, 4))-\(pad(tm.tm_mon + 1, 2))-\(pad(tm.tm_mday, 2)) "
            + "\(pad(tm.tm_hour, 2)):\(pad(tm.tm_min, 2)):\(pad(tm.tm_sec, 2)).\(fracText)+00"
    }

    /// `YYYY-MM-DD HH:MM:SS[.ffffff][+|-HH[:MM[:SS]]]` (a `T` separator is also accepted).
    static func parse(_ text: Substring) -> Date? {
        let b = Array(text.utf8)
        var i = 0
        func number(_ width: Int) -> Int? {
            guard i + width <= b.count else { return nil }
            var v = 0
            for k in i..<(i + width) {
                guard b[k] >= 48 && b[k] <= 57 else { return nil }
                v = v * 10 + Int(b[k] - 48)
            }
            i += width
            return v
        }
        func expect(_ c: UInt8) -> Bool {
            guard i < b.count, b[i] == c else { return false }
            i += 1
            return true
        }
        guard let year = number(4), expect(45), let month = number(2), expect(45), let day = number(2) else { return nil }
        guard i < b.count, b[i] == 32 || b[i] == 84 else { return nil }
        i += 1
        guard let hour = number(2), expect(58), let minute = number(2), expect(58), let second = number(2) else { return nil }
        var micros = 0
        if i < b.count && b[i] == 46 {
            i += 1
            var digits = 0
            while i < b.count, b[i] >= 48 && b[i] <= 57 {
                if digits < 6 { micros = micros * 10 + Int(b[i] - 48) }
                digits += 1
                i += 1
            }
            guard digits > 0 else { return nil }
            if digits < 6 { for _ in digits..<6 { micros *= 10 } }
        }
        var offset = 0
        if i < b.count {
            guard b[i] == 43 || b[i] == 45 else { return nil }
            let sign = b[i] == 43 ? 1 : -1
            i += 1
            guard let oh = number(2) else { return nil }
            var om = 0, os = 0
            if expect(58) { guard let m = number(2) else { return nil }; om = m }
            if expect(58) { guard let s = number(2) else { return nil }; os = s }
            offset = sign * (oh * 3600 + om * 60 + os)
        }
        guard i == b.count, (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61 else { return nil }
        var tm = tm()
        tm.tm_year = Int32(year - 1900)
        tm.tm_mon = Int32(month - 1)
        tm.tm_mday = Int32(day)
        tm.tm_hour = Int32(hour)
        tm.tm_min = Int32(minute)
        tm.tm_sec = Int32(second)
        let epoch = timegm(&tm) - offset
        return Date(timeIntervalSince1970: Double(epoch) + Double(micros) / 1_000_000)
    }
}

/// `text[]` literals: `{"a","b\"c",NULL}`.
enum PostgresTextArray {
    static func format(_ elements: [String]) -> String {
        var out = "{"
        for (n, element) in elements.enumerated() {
            if n > 0 { out += "," }
            out += "\""
            for c in element.unicodeScalars {
                if c == "\"" || c == "\\" { out += "\\" }
                out.unicodeScalars.append(c)
            }
            out += "\""
        }
        return out + "}"
    }

    /// One-dimensional arrays only; nil on malformed input.
    static func parse(_ text: Substring) -> [String?]? {
        var scalars = text.unicodeScalars[...]
        guard scalars.first == "{", scalars.last == "}" else { return nil }
        scalars = scalars.dropFirst().dropLast()
        var result: [String?] = []
        if scalars.isEmpty { return result }
        var index = scalars.startIndex
        while true {
            var element = String.UnicodeScalarView()
            var quoted = false
            if index < scalars.endIndex && scalars[index] == "\"" {
                quoted = true
                index = scalars.index(after: index)
                var closed = false
                while index < scalars.endIndex {
                    var c = scalars[index]
                    if c == "\\" {
                        index = scalars.index(after: index)
                        guard index < scalars.endIndex else { return nil }
                        c = scalars[index]
                    } else if c == "\"" {
                        closed = true
                        index = scalars.index(after: index)
                        break
                    }
                    element.append(c)
                    index = scalars.index(after: index)
                }
                guard closed else { return nil }
            } else {
                while index < scalars.endIndex && scalars[index] != "," {
                    guard scalars[index] != "{" && scalars[index] != "\"" else { return nil }
                    element.append(scalars[index])
                    index = scalars.index(after: index)
                }
            }
            let value = String(element)
            result.append(!quoted && value == "NULL" ? nil : value)
            if index == scalars.endIndex { return result }
            guard scalars[index] == "," else { return nil }
            index = scalars.index(after: index)
        }
    }
}
