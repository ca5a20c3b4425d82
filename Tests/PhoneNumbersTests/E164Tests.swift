import Foundation
import PhoneNumbers
import Testing

@Suite struct E164Tests {
    @Test func parsesOnlyTheCompactForm() throws {
        let number = try #require(E164("+442079460958"))
        #expect(number.digits == 442_079_460_958)
        #expect(number.description == "+442079460958")
        #expect(number.digitCount == 12)
        for bad in ["", "+", "442079460958", "+44 20 7946 0958", "+0442079460958", "+4", "++44", "+44a", "+１２", "+12345678901234567890"] {
            #expect(E164(bad) == nil, "\(bad) must be rejected")
        }
        #expect(E164("+1234567890123456789")?.digitCount == 19)  // libphonenumber's longest possible lengths
        #expect(E164(digits: 9) == nil)
        #expect(E164(digits: 10_000_000_000_000_000_000) == nil)
    }

    @Test func ordersLikeTheTextForm() throws {
        let texts = ["+4930123456", "+12065550134", "+442079460958", "+44207946095", "+33612345678", "+1242", "+12",
                     "+819012345678", "+8613800138000", "+80012345678", "+4420794609580", "+1234567890123456789", "+99"]
        let numbers = try texts.map { try #require(E164($0)) }
        #expect(numbers.sorted().map(\.description) == texts.sorted())
        #expect(E164("+12")! < E164("+120")!)
        #expect(!(E164("+120")! < E164("+12")!))
        #expect(!(E164("+12")! < E164("+12")!))
    }

    @Test func codableAsText() throws {
        let number = try #require(E164("+61412345678"))
        let data = try JSONEncoder().encode([number])
        #expect(String(decoding: data, as: UTF8.self) == #"["+61412345678"]"#)
        #expect(try JSONDecoder().decode([E164].self, from: data) == [number])
        #expect(throws: DecodingError.self) { try JSONDecoder().decode([E164].self, from: Data(#"["0412 345 678"]"#.utf8)) }
    }

    @Test func hashableBySameNumber() {
        #expect(Set([E164("+12065550134")!, E164("+12065550134")!, E164("+442079460958")!]).count == 2)
    }
}

@Suite struct NormalizationResultTests {
    static let examples: [NormalizationResult] =
        [.valid(E164("+442079460958")!), .unverified(E164("+447700900123")!)] + InvalidReason.allCases.map { .invalid($0) }

    @Test func cacheEncodingRoundTrips() {
        for result in Self.examples {
            #expect(NormalizationResult(cacheEncoding: result.cacheEncoding) == result)
        }
        #expect(NormalizationResult.valid(E164("+442079460958")!).cacheEncoding == "v+442079460958")
        #expect(NormalizationResult.unverified(E164("+447700900123")!).cacheEncoding == "u+447700900123")
        #expect(NormalizationResult.invalid(.tooShort).cacheEncoding == "x:too_short")
        for bad in ["", "v", "v442079460958", "w+44", "x:", "x:nonsense", "xtoo_short", "u+0", "V+442079460958"] {
            #expect(NormalizationResult(cacheEncoding: bad) == nil, "\(bad) must be rejected")
        }
    }

    @Test func reasonCodesAreStable() {
        #expect(InvalidReason.allCases.map(\.code) == [
            "empty", "not_a_number", "unparseable", "too_short", "too_long", "invalid_length",
            "invalid_country_code", "local_only", "possible_only", "unknown_region",
        ])
        #expect(Set(InvalidReason.allCases.map(\.text)).count == InvalidReason.allCases.count)
    }

    @Test func unverifiedPolicy() {
        let unverified = NormalizationResult.unverified(E164("+447700900123")!)
        #expect(unverified.applying(.send) == unverified)
        #expect(unverified.applying(.quarantine) == .invalid(.possibleOnly))
        let valid = NormalizationResult.valid(E164("+442079460958")!)
        #expect(valid.applying(.quarantine) == valid)
        #expect(NormalizationResult.invalid(.localOnly).applying(.send) == .invalid(.localOnly))
        #expect(valid.e164 == E164("+442079460958") && NormalizationResult.invalid(.empty).e164 == nil)
    }
}
