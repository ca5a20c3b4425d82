import PhoneNumbers
import Testing

/// 100,000 generated messy values (scripts/phonenumbers-reference.py, seeded): every answer of the
/// normaliser — E.164 and classification — must equal the `phonenumbers` package's under the same rules.
@Suite struct CrossCheckTests {
    @Test func agreesWithReferenceOnMessyCorpus() async throws {
        let defaultRegion = "US"
        let rows = try await offThePool { try Reference.corpus(seed: "optout-sync", count: 100_000, defaultRegion: defaultRegion) }
        try #require(rows.count == 100_000)
        let normalizer = try Normalizer(defaultRegion: defaultRegion)
        let results = await normalizer.normalizeAll(rows.map { RawPhoneNumber($0[0], region: $0[1]) })

        var differences: [String] = []
        var kinds: [String: Int] = [:]
        for (row, result) in zip(rows, results) {
            let ours = result.cacheEncoding, reference = row[2] ?? "?"
            kinds[reference.hasPrefix("x:") ? reference : String(reference.prefix(1)), default: 0] += 1
            if ours != reference {
                differences.append("\(visible(row[0])) region \(visible(row[1])): ours \(ours), reference \(reference)")
            }
        }
        #expect(differences.isEmpty, "\(differences.count) differences, first ones:\n\(differences.prefix(20).joined(separator: "\n"))")

        // The corpus is messy in every way that matters: each outcome is well represented.
        for kind in ["v", "u", "x:empty", "x:not_a_number", "x:too_short", "x:too_long", "x:invalid_length",
                     "x:invalid_country_code", "x:local_only", "x:unknown_region"] {
            #expect(kinds[kind, default: 0] >= 500, "only \(kinds[kind, default: 0]) answers \(kind) in the corpus")
        }
        #expect(kinds["v", default: 0] >= 30_000)
    }
}
