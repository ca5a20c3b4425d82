import CPhoneNumber

/// Turns phone numbers as people typed them into E.164, with Google's libphonenumber as the judge.
/// The rules (pre-processing, region column forms, classification) are in docs/normalisation.md.
///
/// A value type without state beyond its default region: safe to share and to call from any thread
/// (libphonenumber is thread-safe). Each call costs one libphonenumber parse (~15–20 µs): call it from
/// dedicated threads, or use `normalizeAll`, never in a loop on Swift's cooperative pool.
public struct Normalizer: Sendable {
    /// The BU's `default_region` (canonical ISO 3166 alpha-2 code, e.g. `GB`).
    public let defaultRegion: String
    private let defaultCode: RegionCode

    /// Identifies the rules and metadata that produced a result: key the persistent cache with it, and
    /// drop cached results of another generation (a libphonenumber upgrade changes answers).
    public static let cacheGeneration = "libphonenumber-8.12.57/normalisation-1"

    /// `defaultRegion` in any form `resolveRegion` accepts (`GB`, ` gb `, `44`, `+44`).
    public init(defaultRegion: String) throws(UnsupportedRegionError) {
        guard let code = Self.resolve(defaultRegion).code else { throw UnsupportedRegionError(value: defaultRegion) }
        self.defaultCode = code
        self.defaultRegion = code.string
    }

    /// Normalises one raw value. `region` is the row's region column: NULL or blank means the default
    /// region; an unknown value leaves only numbers written with `+` usable.
    public func normalize(_ raw: String?, region: String? = nil) -> NormalizationResult {
        guard var raw else { return .invalid(.empty) }
        let code: RegionCode?
        switch region.map(Self.resolve) ?? .blank {
        case .blank: code = defaultCode
        case .known(let known): code = known
        case .unknown: code = nil
        }
        var out = cpn_result()
        raw.withUTF8 { text in
            (code ?? .unknown).withCString { region in
                text.withMemoryRebound(to: CChar.self) { cpn_normalize($0.baseAddress, $0.count, region, &out) }
            }
        }
        return Self.result(out, regionKnown: code != nil)
    }

    private static func result(_ out: cpn_result, regionKnown: Bool) -> NormalizationResult {
        switch cpn_kind(rawValue: UInt32(bitPattern: out.kind)) {
        case CPN_KIND_VALID: return E164(digits: out.e164).map(NormalizationResult.valid) ?? .invalid(.unparseable)
        case CPN_KIND_POSSIBLE_ONLY: return E164(digits: out.e164).map(NormalizationResult.unverified) ?? .invalid(.unparseable)
        default: break
        }
        switch cpn_reason(rawValue: UInt32(bitPattern: out.reason)) {
        case CPN_REASON_EMPTY: return .invalid(.empty)
        case CPN_REASON_NOT_A_NUMBER: return .invalid(.notANumber)
        case CPN_REASON_TOO_SHORT: return .invalid(.tooShort)
        case CPN_REASON_TOO_LONG: return .invalid(.tooLong)
        case CPN_REASON_INVALID_LENGTH: return .invalid(.invalidLength)
        case CPN_REASON_INVALID_COUNTRY_CODE:
            // Parsed without a region ("ZZ"), a national number fails as "invalid country code":
            // the row's region is what is wrong.
            let parseFailed = out.kind == Int32(bitPattern: CPN_KIND_UNPARSEABLE.rawValue)
            return .invalid(parseFailed && !regionKnown ? .unknownRegion : .invalidCountryCode)
        case CPN_REASON_LOCAL_ONLY: return .invalid(.localOnly)
        default: return .invalid(.unparseable)
        }
    }
}

/// A region value (config `default_region`) that names no region libphonenumber supports. The caller
/// adds which BU and key it checked. (A region value is configuration, never a phone number.)
public struct UnsupportedRegionError: Error, Hashable, Sendable, CustomStringConvertible {
    public let value: String

    public init(value: String) { self.value = value }

    public var description: String {
        "unsupported region \"\(value)\": expected an ISO 3166 alpha-2 code such as GB, or a country calling code such as 44"
    }
}

// MARK: - Regions

extension Normalizer {
    /// Every region libphonenumber has metadata for, sorted (`AC`, `AD`, ..., `ZW`).
    public static var supportedRegions: [String] { RegionTables.shared.sorted }

    /// True for a canonical supported code (`GB`; not `gb`, not `UK`, not `44`).
    public static func isSupportedRegion(_ code: String) -> Bool { RegionTables.shared.supported.contains(code) }

    /// The region a region-column value (or `default_region`) names, or nil if blank or unknown.
    /// Accepted forms, after trimming whitespace and invisible characters: an ISO code in any case
    /// (`gb`, ` GB `), or a calling code of 1–3 digits with an optional `+` or `00` (`44`, `+44`,
    /// `0044`), which maps to the main region of that code (1 → US, 44 → GB, 7 → RU). Calling codes
    /// of non-geographic services (800, 870, 882, ...) name no region.
    public static func resolveRegion(_ value: String) -> String? { resolve(value).code?.string }

    /// The region an E.164 number belongs to (`+442079460958` → `GB`, `+12423571234` → `BS`,
    /// `+80012345678` → `001`); for a number in no known range (unverified), the main region of its
    /// calling code (`+447700900123` → `GB`); nil if the calling code is unknown. For `write_back_sql`'s `$3`.
    public static func region(of number: E164) -> String? {
        let (_, region) = describe(number)
        return region == "ZZ" ? nil : region
    }

    /// libphonenumber's type of a number (`.mobile`, `.fixedLine`, ...), `.unknown` if it is not valid.
    public static func numberType(of number: E164) -> PhoneNumberType {
        PhoneNumberType(cValue: describe(number).result.number_type)
    }

    private static func describe(_ number: E164) -> (result: cpn_result, region: String) {
        var out = cpn_result()
        let region = readRegion { _ = cpn_describe_e164(number.digits, &out, $0) }
        return (out, region)
    }

    enum Resolution: Equatable {
        case blank
        case known(RegionCode)
        case unknown

        var code: RegionCode? { if case .known(let code) = self { code } else { nil } }
    }

    static func resolve(_ value: String) -> Resolution {
        // Fast path: two ASCII letters, the usual content of a region column.
        let utf8 = value.utf8
        if utf8.count == 2, let code = RegionCode(letters: utf8) {
            return RegionTables.shared.isSupported(code) ? .known(code) : .unknown
        }
        let cleaned = preprocessed(value)
        if cleaned.isEmpty { return .blank }
        if cleaned.utf8.count == 2, let code = RegionCode(letters: cleaned.utf8) {
            return RegionTables.shared.isSupported(code) ? .known(code) : .unknown
        }
        var digits = Substring(cleaned)
        if digits.hasPrefix("+") { digits = digits.dropFirst() } else if digits.hasPrefix("00") && digits.count > 2 { digits = digits.dropFirst(2) }
        guard (1...3).contains(digits.utf8.count), digits.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
              let callingCode = Int(digits), let region = RegionTables.shared.byCallingCode[callingCode] else { return .unknown }
        return .known(region)
    }

    /// The pre-processing of docs/normalisation.md (the same C code the numbers go through).
    static func preprocessed(_ value: String) -> String {
        var value = value
        return value.withUTF8 { input in
            String(unsafeUninitializedCapacity: max(input.count, 1)) { output in
                let count = input.withMemoryRebound(to: CChar.self) { input in
                    output.withMemoryRebound(to: CChar.self) { cpn_preprocess(input.baseAddress, input.count, $0.baseAddress!) }
                }
                return max(count, 0)
            }
        }
    }
}

/// A supported region code as two ASCII capital letters, passed to C without allocating.
struct RegionCode: Hashable, Sendable {
    var bytes: (UInt8, UInt8)

    static let unknown = RegionCode(bytes: (UInt8(ascii: "Z"), UInt8(ascii: "Z")))

    init(bytes: (UInt8, UInt8)) { self.bytes = bytes }

    /// Two ASCII letters in any case, upper-cased; nil otherwise.
    init?(letters: some Collection<UInt8>) {
        guard letters.count == 2 else { return nil }
        func upper(_ b: UInt8) -> UInt8? {
            switch b {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): b
            case UInt8(ascii: "a")...UInt8(ascii: "z"): b - 32
            default: nil
            }
        }
        guard let a = upper(letters.first!), let b = upper(letters.dropFirst().first!) else { return nil }
        bytes = (a, b)
    }

    /// 0..<676, for tables indexed by region.
    var index: Int { Int(bytes.0 - UInt8(ascii: "A")) * 26 + Int(bytes.1 - UInt8(ascii: "A")) }

    var string: String { String(decoding: [bytes.0, bytes.1], as: UTF8.self) }

    static func == (a: RegionCode, b: RegionCode) -> Bool { a.bytes == b.bytes }
    func hash(into hasher: inout Hasher) { hasher.combine(bytes.0); hasher.combine(bytes.1) }

    func withCString<R>(_ body: (UnsafePointer<CChar>) -> R) -> R {
        let cString: (UInt8, UInt8, UInt8) = (bytes.0, bytes.1, 0)
        return withUnsafeBytes(of: cString) { body($0.baseAddress!.assumingMemoryBound(to: CChar.self)) }
    }
}

/// libphonenumber's region metadata, read once.
struct RegionTables: Sendable {
    let sorted: [String]
    let supported: Set<String>
    /// Calling code → its main geographic region (1 → US, 44 → GB).
    let byCallingCode: [Int: RegionCode]

    /// Supported codes as a 26×26 table, so the hot path checks a code without building a String.
    private let supportedTable: [Bool]

    static let shared = RegionTables()

    func isSupported(_ code: RegionCode) -> Bool {
        supportedTable[code.index]
    }

    private init() {
        let needed = cpn_supported_regions(nil, 0)
        var buffer = [CChar](repeating: 0, count: needed + 1)
        _ = cpn_supported_regions(&buffer, buffer.count)
        sorted = String(decoding: buffer.prefix(needed).map { UInt8(bitPattern: $0) }, as: UTF8.self)
            .split(separator: ",").map(String.init)
        supported = Set(sorted)
        var table = [Bool](repeating: false, count: 26 * 26)
        for region in sorted { if let code = RegionCode(letters: region.utf8) { table[code.index] = true } }
        supportedTable = table
        var byCallingCode: [Int: RegionCode] = [:]
        for callingCode in 1...999 {
            let code = readRegion { cpn_region_for_calling_code(Int32(callingCode), $0) }
            if let regionCode = RegionCode(letters: code.utf8), supported.contains(code) { byCallingCode[callingCode] = regionCode }
        }
        self.byCallingCode = byCallingCode
    }
}

/// Calls `fill` with a 4-byte buffer that it fills with a NUL-terminated region code; returns the code.
private func readRegion(_ fill: (UnsafeMutablePointer<CChar>) -> Void) -> String {
    var region: (CChar, CChar, CChar, CChar) = (0, 0, 0, 0)
    withUnsafeMutableBytes(of: &region) { fill($0.baseAddress!.assumingMemoryBound(to: CChar.self)) }
    return withUnsafeBytes(of: region) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
}

/// libphonenumber's `PhoneNumberType`.
public enum PhoneNumberType: String, Sendable, CaseIterable, Codable {
    case fixedLine = "fixed_line", mobile, fixedLineOrMobile = "fixed_line_or_mobile", tollFree = "toll_free"
    case premiumRate = "premium_rate", sharedCost = "shared_cost", voip, personalNumber = "personal_number"
    case pager, uan, voicemail, unknown

    init(cValue: Int32) {
        let all: [PhoneNumberType] = [.fixedLine, .mobile, .fixedLineOrMobile, .tollFree, .premiumRate, .sharedCost,
                                      .voip, .personalNumber, .pager, .uan, .voicemail, .unknown]
        self = all.indices.contains(Int(cValue)) ? all[Int(cValue)] : .unknown
    }
}
