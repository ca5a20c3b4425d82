/// A phone number in E.164 form (`+442079460958`), stored compactly as its digits in one `UInt64`.
///
/// Construction checks the syntax only: `+`, then 2...19 digits, the first not `0` (libphonenumber's
/// "possible" lengths reach 19 digits in JP). Whether a number is valid is the `Normalizer`'s call.
/// Ordering is the byte order of the text form (`"+1..." < "+44..." < "+4930..."`), so sorted
/// sequences agree with `ORDER BY e164 COLLATE "C"` on the text column.
public struct E164: Hashable, Comparable, Sendable, CustomStringConvertible, LosslessStringConvertible, Codable {
    /// The digits as an integer: `+442079460958` → `442079460958`.
    public let digits: UInt64

    static let maxDigits = 19

    /// Nil unless `digits` has 2...19 digits (a calling code never starts with 0, so the integer is exact).
    public init?(digits: UInt64) {
        guard digits >= 10, digits < 10_000_000_000_000_000_000 else { return nil }
        self.digits = digits
    }

    /// Parses the text form `+` + 2...19 ASCII digits; nil for anything else (no spaces, no formatting).
    public init?(_ description: String) {
        var utf8 = description.utf8.makeIterator()
        guard utf8.next() == UInt8(ascii: "+") else { return nil }
        var value: UInt64 = 0
        var count = 0
        while let byte = utf8.next() {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9"), count < Self.maxDigits else { return nil }
            if count == 0 && byte == UInt8(ascii: "0") { return nil }
            value = value * 10 + UInt64(byte - UInt8(ascii: "0"))
            count += 1
        }
        self.init(digits: value)
    }

    /// Number of digits (without the `+`).
    public var digitCount: Int {
        var count = 1
        var power: UInt64 = 10
        while count < Self.maxDigits && digits >= power { count += 1; power *= 10 }
        return count
    }

    public var description: String { "+\(digits)" }

    public static func < (a: E164, b: E164) -> Bool {
        // Compare as strings of digits: cut the longer number to the shorter one's length; on an
        // equal prefix the shorter number comes first.
        let la = a.digitCount, lb = b.digitCount
        if la == lb { return a.digits < b.digits }
        if la < lb { return a.digits <= b.digits / power10(lb - la) }
        return a.digits / power10(la - lb) < b.digits
    }

    private static func power10(_ n: Int) -> UInt64 {
        var value: UInt64 = 1
        for _ in 0..<n { value *= 10 }
        return value
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let value = E164(text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not an E.164 number (expected + and 2...19 digits)")
        }
        self = value
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
