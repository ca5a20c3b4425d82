import Hashing
import PhoneNumbers
import Testing

@Suite struct BatchTests {
    /// Every table row many times over, in an order that mixes slow and fast inputs.
    static let inputs: [RawPhoneNumber] = (0..<40).flatMap { round in
        var generator = SplitMix64(seed: UInt64(round))
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
