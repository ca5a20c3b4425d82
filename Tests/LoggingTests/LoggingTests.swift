import Foundation
import Logging
import Testing

@Suite struct PhoneMaskTests {
    @Test(arguments: [
        ("+12065550100", "+1206***0100"),
        ("(206) 555-0134", "2065***0134"),
        ("+44 20 7946 0958", "+4420***0958"),
        ("555-0100", "***00"),
        ("12345", "***45"),
        ("N/A", "***"),
        ("", "***"),
    ])
    func masks(input: String, expected: String) {
        #expect(PhoneMask.mask(input) == expected)
    }

    @Test func maskedValueNeverContainsTheMiddleDigits() {
        let masked = PhoneMask.mask("+442079460958")
        #expect(masked == "+4420***0958")
        #expect(!masked.contains("7946"))
    }
}

@Suite struct LoggerTests {
    @Test func filtersBelowLevelAndMergesMetadata() {
        let sink = MemorySink()
        let logger = Logger(sink: sink, level: .info).with("bu", "cards")
        logger.debug("hidden")
        logger.info("backfill started", ["aws.operation": "PutOptedOutNumber"])
        #expect(sink.messages == ["backfill started"])
        #expect(sink.all[0].metadata == ["bu": "cards", "aws.operation": "PutOptedOutNumber"])
    }

    @Test func jsonLineHasTheDocumentedFields() throws {
        let record = LogRecord(timestamp: Date(timeIntervalSince1970: 1_764_763_200.5), level: .warning,
                               message: "say \"hi\"\n", metadata: ["bu": "cards", "pg.sqlstate": "08006"])
        let line = LogLine.render(record, format: .json)
        let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: String]
        #expect(object["ts"] == "2025-12-03T12:00:00.500Z")
        #expect(object["level"] == "warning")
        #expect(object["msg"] == "say \"hi\"\n")
        #expect(object["bu"] == "cards")
        #expect(object["pg.sqlstate"] == "08006")
    }

    @Test func textLineShowsBUAndSortedMetadata() {
        let record = LogRecord(timestamp: Date(timeIntervalSince1970: 0), level: .info,
                               message: "done", metadata: ["bu": "cards", "b": "2", "a": "x y"])
        #expect(LogLine.render(record, format: .text) == "1970-01-01T00:00:00.000Z INFO [cards] done a=\"x y\" b=2")
    }
}
