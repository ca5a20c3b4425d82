/// An order-independent digest of a multiset of rows (each row a list of optional strings): two
/// reads of a table that return the same rows in any order have equal digests, and a row added,
/// removed, repeated or changed changes it (an accidental collision is ~2⁻⁶⁴-unlikely; not a defence against crafted input).
///
/// Each row is hashed (FNV-1a over its fields, with separators and a NULL marker), the hash is mixed
/// two ways and summed into two 64-bit accumulators; sums commute, so the order does not matter.
public struct MultisetDigest: Sendable, Equatable {
    public private(set) var count = 0
    private var first: UInt64 = 0
    private var second: UInt64 = 0

    public init() {}

    public mutating func add(_ row: [String?]) {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325  // FNV-1a offset basis
        @inline(__always) func feed(_ byte: UInt8) {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
        }
        for field in row {
            if let field {
                feed(1)
                for byte in field.utf8 { feed(byte) }
            } else {
                feed(0)
            }
            feed(0xFF)  // not valid UTF-8: fields cannot run into each other
        }
        first &+= SplitMix64.mix(hash)
        second &+= SplitMix64.mix(hash ^ 0x5851_F42D_4C95_7F2D)
        count += 1
    }

    /// Combines the digests of two parts of one multiset.
    public mutating func merge(_ other: MultisetDigest) {
        first &+= other.first
        second &+= other.second
        count += other.count
    }

    /// `count:first:second`, hexadecimal: what gets stored and compared.
    public var description: String {
        "\(count):\(String(first, radix: 16)):\(String(second, radix: 16))"
    }
}
