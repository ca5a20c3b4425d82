import PhoneNumbers
import Testing

/// One row of a legacy table and what must become of it. `expected` is the cache encoding:
/// `v+…` valid, `u+…` unverified (possible only), `x:reason` quarantined.
struct Case: CustomTestStringConvertible, Sendable {
    let raw: String?
    let region: String?
    let expected: String
    let why: String

    init(_ raw: String?, _ region: String?, _ expected: String, _ why: String) {
        self.raw = raw
        self.region = region
        self.expected = expected
        self.why = why
    }

    var testDescription: String { why }
}

/// The BU's default region in every case below; `region` is the row's region column.
let tableDefaultRegion = "US"

let table: [Case] = [
    // United States: national formats, trunk prefix 1, IDD 011, extensions, vanity letters.
    Case("(206) 555-0134", nil, "v+12065550134", "US national with parentheses, default region"),
    Case("206.555.0134", "US", "v+12065550134", "US with dots"),
    Case("1-206-555-0134", "US", "v+12065550134", "US trunk prefix 1 and dashes"),
    Case("+1 206 555 0134", "GB", "v+12065550134", "explicit + overrides the row's region"),
    Case("011 44 20 7946 0958", "US", "v+442079460958", "US international prefix 011"),
    Case("2065550134 ext. 12", "US", "v+12065550134", "extension dropped, the number decides"),
    Case("(206) 555-0134 x99", "US", "v+12065550134", "short extension marker x"),
    Case("1-800-FLOWERS", "US", "v+18003569377", "vanity letters are keypad digits (libphonenumber)"),
    Case("555-0100", "US", "x:local_only", "7 digits without area code: local only, never E.164"),
    Case("123-456-7890", "US", "u+11234567890", "right length, area code 123 not assigned: possible only"),
    Case("911", "US", "x:too_short", "service code, too short"),
    Case("12", "US", "x:too_short", "two digits: parses, too short"),
    Case("1", "US", "x:not_a_number", "a single digit is not a number at all"),
    Case("206555013412345", "US", "x:too_long", "15 digits in the US"),
    Case("07911 123456", "US", "x:too_long", "GB mobile written nationally in a US row is not rescued"),
    Case("(800) 555-0199", "US", "v+18005550199", "toll free"),
    Case("+1 (242) 357-1234", "US", "v+12423571234", "Bahamas inside NANP, valid anywhere"),
    Case("(206) 555-0134", "1", "v+12065550134", "region column holds calling code 1 → US"),
    Case("(206) 555-0134", "+1", "v+12065550134", "region column holds +1 → US"),
    Case("1-206-555-0134", "CA", "v+12065550134", "NANP number in a Canadian row"),

    // Whitespace, invisible characters, foreign digits.
    Case("\u{00A0}(206) 555-0134\u{202F}", "US", "v+12065550134", "NBSP and narrow NBSP trimmed"),
    Case("\u{200E}+1 206 555 0134\u{200F}", "US", "v+12065550134", "bidi marks removed"),
    Case("\u{FEFF}206\u{200B}555\u{2060}0134", "US", "v+12065550134", "BOM, zero-width space, word joiner removed"),
    Case("\t 206 555 0134 \n", "US", "v+12065550134", "tabs and newline trimmed"),
    Case("２０６５５５０１３４", "US", "v+12065550134", "full-width digits (libphonenumber normalises them)"),
    Case("+61 4 1234 5678 ", "AU", "v+61412345678", "trailing space"),
    Case("٠٧٩١١ ١٢٣٤٥٦", "GB", "v+447911123456", "Arabic-Indic digits"),

    // Empty and junk.
    Case(nil, "US", "x:empty", "NULL"),
    Case("", "US", "x:empty", "empty string"),
    Case(" \u{00A0}\u{3000} ", "US", "x:empty", "only whitespace"),
    Case("\u{200B}\u{FEFF}", "US", "x:empty", "only invisible characters"),
    Case("N/A", "US", "x:not_a_number", "N/A"),
    Case("call me", "US", "x:not_a_number", "words"),
    Case("+", "US", "x:not_a_number", "a lone plus"),
    Case("0", "GB", "x:not_a_number", "a lone zero"),
    Case("+999 123 456 789", "US", "x:invalid_country_code", "calling code 999 does not exist"),

    // United Kingdom.
    Case("07911 123456", "GB", "v+447911123456", "GB mobile, trunk prefix 0"),
    Case("0044 20 7946 0958", "GB", "v+442079460958", "GB international prefix 00"),
    Case("+44 (0)20 7946 0958", "GB", "v+442079460958", "(0) trunk prefix inside an international number"),
    Case("07700 900123", "GB", "u+447700900123", "Ofcom drama range: possible, not valid"),
    Case("020 7946 0958", "44", "v+442079460958", "region column 44 → GB"),
    Case("020 7946 0958", "+44", "v+442079460958", "region column +44 → GB"),
    Case("020 7946 0958", "0044", "v+442079460958", "region column 0044 → GB"),
    Case("020 7946 0958", " gb ", "v+442079460958", "region column trimmed and case-folded"),
    Case("020 7946 0958", "UK", "x:unknown_region", "UK is not an ISO code: national numbers cannot be placed"),
    Case("+44 20 7946 0958", "UK", "v+442079460958", "unknown region, but the number carries its country"),
    Case("020 7946 0958", "800", "x:unknown_region", "800 is a non-geographic calling code, not a region"),
    Case("+44 20 7946 0958 ext 123", "GB", "v+442079460958", "international with extension"),
    Case("tel:+44-20-7946-0958", "GB", "v+442079460958", "RFC 3966 URI"),
    Case("+44 20 7946", "GB", "x:local_only", "GB number missing digits: local-only length"),
    Case("+61 1471 012 3442", "AU", "x:invalid_length", "between AU lengths, matching none"),

    // Germany, France, Italy (leading zero kept), Netherlands.
    Case("030 123456", "DE", "v+4930123456", "Berlin, trunk prefix 0"),
    Case("+49 30 123456", "US", "v+4930123456", "German number in a US row, international form"),
    Case("0151 23456789", "DE", "v+4915123456789", "German mobile"),
    Case("0 30 / 12 34 56", "DE", "v+4930123456", "slashes and spaces"),
    Case("01 23 45 67 89", "FR", "v+33123456789", "Paris"),
    Case("06.12.34.56.78", "FR", "v+33612345678", "French mobile with dots"),
    Case("+33 (0)6 12 34 56 78", "FR", "v+33612345678", "French (0) convention"),
    Case("0612345678", "33", "v+33612345678", "region column 33 → FR"),
    Case("06 1234 5678", "IT", "v+390612345678", "Rome: the leading 0 is part of the Italian number"),
    Case("+39 06 1234 5678", "GB", "v+390612345678", "Rome, international"),
    Case("+31 6 12345678", "NL", "v+31612345678", "Dutch mobile"),

    // India, Australia, Brazil, Japan, others.
    Case("098765 43210", "IN", "v+919876543210", "Indian mobile with trunk 0"),
    Case("+91 98765-43210", "IN", "v+919876543210", "Indian mobile, international"),
    Case("0412 345 678", "AU", "v+61412345678", "Australian mobile"),
    Case("(02) 9876 5432", "AU", "v+61298765432", "Sydney"),
    Case("0011 44 20 7946 0958", "AU", "v+442079460958", "Australian international prefix 0011"),
    Case("(11) 91234-5678", "BR", "v+5511912345678", "São Paulo mobile"),
    Case("+55 11 2345-6789", "BR", "v+551123456789", "São Paulo fixed line"),
    Case("+55 11 1234-5678", "BR", "u+551112345678", "São Paulo block not in the 2022 metadata: possible only"),
    Case("03-1234-5678", "JP", "v+81312345678", "Tokyo"),
    Case("090-1234-5678", "JP", "v+819012345678", "Japanese mobile"),
    Case("０９０－１２３４－５６７８", "JP", "v+819012345678", "full-width digits and dashes"),
    Case("8 (912) 345-67-89", "RU", "v+79123456789", "Russian trunk prefix 8"),
    Case("+86 138 0013 8000", "CN", "v+8613800138000", "Chinese mobile"),
    Case("071 234 5678", "ZA", "v+27712345678", "South African mobile"),
    Case("+800 1234 5678", "US", "v+80012345678", "international freephone (non-geographic)"),
]

@Suite struct NormalizerTableTests {
    let normalizer = try! Normalizer(defaultRegion: tableDefaultRegion)

    @Test(arguments: table)
    func normalises(_ c: Case) {
        #expect(normalizer.normalize(c.raw, region: c.region).cacheEncoding == c.expected, "\(c.why)")
    }

    @Test func tableCoversEnoughGround() {
        #expect(table.count >= 60)
        let regions = Set(table.compactMap(\.region).compactMap(Normalizer.resolveRegion))
        #expect(regions.isSuperset(of: ["US", "GB", "DE", "FR", "IN", "AU", "BR", "JP"]))
        let kinds = Set(table.map { $0.expected.hasPrefix("x:") ? $0.expected : String($0.expected.prefix(1)) })
        #expect(kinds.isSuperset(of: ["v", "u", "x:empty", "x:local_only", "x:too_short", "x:too_long", "x:not_a_number",
                                      "x:invalid_length", "x:invalid_country_code", "x:unknown_region"]))
    }

    /// The expectations above are not just what the shim happens to say: the `phonenumbers` package
    /// (same metadata) behind the documented rules says the same.
    @Test func referenceAgreesWithTheTable() throws {
        let answers = try Reference.judge(table.map { [$0.raw, $0.region] }, defaultRegion: tableDefaultRegion)
        for (c, answer) in zip(table, answers) {
            #expect(answer == c.expected, "\(c.why): reference says \(answer)")
        }
    }
}
