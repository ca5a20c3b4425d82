import PhoneNumbers
import Testing

@Suite struct BatchTests {
    /// Every table row many times over, in an order that mixes slow and fast inputs.
    static let inputs: [RawPhoneNumber] = (0..<40).flatMap { round in
        var generator = SplitMix(seed: UInt64(round))
        return table.shuffled(using: &generator).map { RawPhoneNumber($0.raw, region: $0.region) }
    }

    @Test(arguments: [1, 2, 4, 16])
    func parallelBatchEqualsOneByOne(threads: Int) async throws {
        let normalizer = try Normalizer(defaultRegion: tableDefaultRegion)
        let expected = Self.inputs.map { normalizer.normalize($0.value, region: $0.region) }
        let results = await normalizer.normalizeAll(Self.inputs, threads: threads)
        #expect(results == expected)
    }

    @Test func emptyAndTinyBatches() async throws {
        let normalizer = try Normalizer(defaultRegion: "GB")
        #expect(await normalizer.normalizeAll([]).isEmpty)
        #expect(await normalizer.normalizeAll([RawPhoneNumber("07911 123456")]) == [.valid(E164("+447911123456")!)])
    }
}

/// A tiny seeded generator, so the shuffled order is the same on every run.
struct SplitMix: RandomNumberGenerator {
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
