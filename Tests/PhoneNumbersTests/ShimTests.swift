import CPhoneNumber
import PhoneNumbers
import Testing

/// The C API's edges that Swift strings cannot reach through `Normalizer`.
@Suite struct ShimTests {
    private func normalize(_ bytes: [UInt8], region: String = "GB") -> cpn_result {
        var out = cpn_result()
        bytes.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { cpn_normalize($0.baseAddress, $0.count, region, &out) }
        }
        return out
    }

    @Test func malformedUTF8IsUnparseable() {
        for bytes: [UInt8] in [[0x30, 0x37, 0xFF, 0x31], [0xC0, 0xB0], [0xE2, 0x80], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80]] {
            let out = normalize(bytes)
            #expect(out.kind == Int32(CPN_KIND_UNPARSEABLE.rawValue) && out.reason == Int32(CPN_REASON_UNPARSEABLE.rawValue), "\(bytes)")
        }
    }

    @Test func resultCarriesTypeAndCallingCode() {
        let out = normalize(Array("07911 123456".utf8))
        #expect(out.kind == Int32(CPN_KIND_VALID.rawValue))
        #expect(out.e164 == 447_911_123_456 && out.country_code == 44 && out.number_type == Int32(CPN_TYPE_MOBILE.rawValue))
        let impossible = normalize(Array("+61 1471 012 3442".utf8))
        #expect(impossible.kind == Int32(CPN_KIND_IMPOSSIBLE.rawValue) && impossible.e164 == 0)
    }

    @Test func hugeAndOddInputsStayInside() {
        let huge = normalize(Array(String(repeating: "9", count: 100_000).utf8))
        #expect(huge.kind == Int32(CPN_KIND_UNPARSEABLE.rawValue) && huge.reason == Int32(CPN_REASON_TOO_LONG.rawValue))
        let nul = normalize([0x30, 0x00, 0x37])
        #expect(nul.kind == Int32(CPN_KIND_UNPARSEABLE.rawValue))
        let unknownRegion = normalize(Array("020 7946 0958".utf8), region: "QQ")
        #expect(unknownRegion.reason == Int32(CPN_REASON_INVALID_COUNTRY_CODE.rawValue))
    }

    @Test func preprocessingNeverGrows() {
        let input = Array("\u{FEFF}\u{00A0}+44\u{202F}20\u{200B}7946\u{3000}0958\u{2029}".utf8)
        var output = [CChar](repeating: 0, count: input.count)
        let count = input.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { cpn_preprocess($0.baseAddress, $0.count, &output) }
        }
        #expect(count >= 0 && count <= input.count)
        #expect(String(decoding: output.prefix(count).map { UInt8(bitPattern: $0) }, as: UTF8.self) == "+44 207946 0958")
    }
}
