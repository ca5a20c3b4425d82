import PhoneNumbers
import Testing

@Suite struct RegionTests {
    @Test func supportedRegionsComeFromLibphonenumber() {
        let regions = Normalizer.supportedRegions
        #expect(regions.count == 245)  // phonenumbers 8.12.57: len(SUPPORTED_REGIONS)
        #expect(regions == regions.sorted())
        #expect(regions.contains("GB") && regions.contains("US") && !regions.contains("UK") && !regions.contains("001"))
        #expect(Normalizer.isSupportedRegion("GB"))
        #expect(!Normalizer.isSupportedRegion("gb") && !Normalizer.isSupportedRegion("UK") && !Normalizer.isSupportedRegion("44"))
    }

    @Test(arguments: [
        ("GB", "GB"), ("gb", "GB"), (" Gb\u{00A0}", "GB"), ("\u{200E}fr", "FR"),
        ("44", "GB"), ("+44", "GB"), ("0044", "GB"), (" 44 ", "GB"), ("1", "US"), ("+1", "US"), ("001", "US"),
        ("7", "RU"), ("61", "AU"), ("262", "RE"), ("55", "BR"), ("81", "JP"),
    ])
    func resolves(value: String, region: String) {
        #expect(Normalizer.resolveRegion(value) == region)
    }

    @Test(arguments: ["", "  ", "UK", "XX", "EU", "USA", "800", "870", "999", "0", "00", "+", "4444", "+0044", "gb-eng", "４４"])
    func doesNotResolve(value: String) {
        #expect(Normalizer.resolveRegion(value) == nil)
    }

    @Test func defaultRegionIsValidated() throws {
        #expect(try Normalizer(defaultRegion: " gb ").defaultRegion == "GB")
        #expect(try Normalizer(defaultRegion: "+49").defaultRegion == "DE")
        #expect(throws: UnsupportedRegionError(value: "UK")) { try Normalizer(defaultRegion: "UK") }
        #expect("\(UnsupportedRegionError(value: "UK"))".hasPrefix("unsupported region \"UK\""))
        #expect(throws: UnsupportedRegionError.self) { try Normalizer(defaultRegion: "") }
    }

    @Test func blankRowRegionFallsBackToTheDefault() throws {
        let normalizer = try Normalizer(defaultRegion: "GB")
        for region in [nil, "", "  ", "\u{00A0}\u{200B}"] as [String?] {
            #expect(normalizer.normalize("020 7946 0958", region: region) == .valid(E164("+442079460958")!))
        }
    }

    @Test func regionAndTypeOfANumber() {
        #expect(Normalizer.region(of: E164("+442079460958")!) == "GB")
        #expect(Normalizer.region(of: E164("+12423571234")!) == "BS")
        #expect(Normalizer.region(of: E164("+80012345678")!) == "001")
        #expect(Normalizer.region(of: E164("+447700900123")!) == "GB")  // possible only: calling code's main region
        #expect(Normalizer.region(of: E164("+99912345")!) == nil)
        #expect(Normalizer.numberType(of: E164("+447911123456")!) == .mobile)
        #expect(Normalizer.numberType(of: E164("+442079460958")!) == .fixedLine)
        #expect(Normalizer.numberType(of: E164("+12065550134")!) == .fixedLineOrMobile)
        #expect(Normalizer.numberType(of: E164("+18005550199")!) == .tollFree)
    }
}
