import Foundation
@testable import Postgres
import Testing

@Suite struct TextFormatTests {
    @Test func timestampsRoundTrip() throws {
        let date = Date(timeIntervalSince1970: 1_796_292_000.25)
        #expect(PostgresTimestamp.format(date) == "2026-12-03 10:00:00.250000+00")
        #expect(PostgresTimestamp.parse("2026-12-03 10:00:00.25+00") == date)
        #expect(PostgresTimestamp.parse("2026-12-03 11:30:00.25+01:30") == date)
        #expect(PostgresTimestamp.parse("2026-12-03T10:00:00.250000123+00") == date)
        #expect(PostgresTimestamp.format(Date(timeIntervalSince1970: -0.5)) == "1969-12-31 23:59:59.500000+00")
        for bad in ["", "2026-12-03", "2026-13-03 10:00:00+00", "infinity", "2026-12-03 10:00:00 BC", "2026-12-03 10:00:00."] {
            #expect(PostgresTimestamp.parse(Substring(bad)) == nil, "\(bad)")
        }
    }

    @Test func textArrays() {
        #expect(PostgresTextArray.format(["a", "b\"c", "d\\e", ""]) == #"{"a","b\"c","d\\e",""}"#)
        #expect(PostgresTextArray.parse(#"{a,"b\"c",NULL,"NULL",""}"#)! == ["a", "b\"c", nil, "NULL", ""])
        #expect(PostgresTextArray.parse("{}")! == [])
        #expect(PostgresTextArray.parse("{\"open}") == nil)
        #expect(PostgresTextArray.parse("a,b") == nil)
    }

    @Test func secretsAreRedacted() {
        #expect(Redaction.redact("host=db password=hunter2 user=x") == "host=db password=*** user=x")
        #expect(Redaction.redact("password = 'it\\'s secret' dbname=x") == "password=*** dbname=x")
        #expect(Redaction.redact("postgresql://app:hunter2@db:5432/x?sslmode=require") == "postgresql://app:***@db:5432/x?sslmode=require")
        #expect(Redaction.redact("password authentication failed for user \"app\"") == "password authentication failed for user \"app\"")
        #expect(Redaction.maskDigits("Key (e164)=(+1 (206) 555-0100) exists, 12 rows") == "Key (e164)=(+<masked>) exists, 12 rows")
    }

    @Test func copyTextSplitsAndUnescapes() {
        let line = Array("a\\tb\t\\N\t\t\\\\N\tx\\ny".utf8)
        var ranges: [CopyFieldRange] = []
        let values: [String?] = line.withUnsafeBufferPointer { bytes in
            let count = CopyText.split(bytes, into: &ranges)
            return (0..<count).map { i in
                ranges[i].isNull ? nil
                    : String(decoding: CopyText.unescape(UnsafeBufferPointer(rebasing: bytes[Int(ranges[i].start)..<Int(ranges[i].end)])), as: UTF8.self)
            }
        }
        #expect(values == ["a\tb", nil, "", "\\N", "x\ny"])
        var out: [UInt8] = []
        #expect(throws: Never.self) { try Array("a\tb\\c\nd\re".utf8).withUnsafeBufferPointer { try CopyText.appendEscaped($0, to: &out) } }
        #expect(String(decoding: out, as: UTF8.self) == "a\\tb\\\\c\\nd\\re")
        var digits: [UInt8] = []
        for v: Int64 in [0, -7, 1234567890, .min, .max] { CopyText.appendDecimal(v, to: &digits); digits.append(32) }
        #expect(String(decoding: digits, as: UTF8.self) == "0 -7 1234567890 -9223372036854775808 9223372036854775807 ")
    }
}
