import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

public enum LogFormat: String, Sendable, CaseIterable {
    case text, json

    /// `text` when standard error is a terminal, `json` otherwise (journald-friendly).
    public static var automatic: LogFormat { isatty(2) == 1 ? .text : .json }
}

/// Writes records to a file descriptor (standard error by default), one line each.
public final class StreamSink: LogSink {
    public let format: LogFormat
    private let fd: Int32
    private let lock = Mutex(())

    public init(format: LogFormat, fileDescriptor: Int32 = 2) {
        self.format = format
        self.fd = fileDescriptor
    }

    public func write(_ record: LogRecord) {
        let line = LogLine.render(record, format: format) + "\n"
        lock.withLock { _ in
            var bytes = Array(line.utf8)
            var offset = 0
            while offset < bytes.count {
                let n = bytes.withUnsafeMutableBytes { buffer in
                    Glibc.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                }
                if n <= 0 { break }
                offset += n
            }
            bytes.removeAll()
        }
    }
}

/// Pure rendering of a record as a text or JSON line.
public enum LogLine {
    public static func render(_ record: LogRecord, format: LogFormat) -> String {
        let ts = timestamp(record.timestamp)
        switch format {
        case .text:
            var line = "\(ts) \(record.level.description.uppercased()) "
            if let bu = record.metadata["bu"] { line += "[\(bu)] " }
            line += record.message
            for key in record.metadata.keys.sorted() where key != "bu" {
                line += " \(key)=\(textValue(record.metadata[key]!))"
            }
            return line
        case .json:
            var fields: [(String, String)] = [("ts", ts), ("level", record.level.description), ("msg", record.message)]
            if let bu = record.metadata["bu"] { fields.append(("bu", bu)) }
            for key in record.metadata.keys.sorted() where key != "bu" {
                fields.append((key, record.metadata[key]!))
            }
            return "{" + fields.map { "\(jsonString($0.0)):\(jsonString($0.1))" }.joined(separator: ",") + "}"
        }
    }

    static func textValue(_ value: String) -> String {
        value.contains(where: { $0 == " " || $0 == "\"" || $0 == "=" }) ? jsonString(value) : value
    }

    /// A JSON string literal (RFC 8259 escaping).
    public static func jsonString(_ value: String) -> String {
        var out = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    /// ISO 8601 UTC with milliseconds, e.g. `2026-12-03T12:00:00.123Z`.
    public static func timestamp(_ date: Date) -> String {
        let millis = Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
        var seconds = time_t(millis / 1000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
                      Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1, Int(parts.tm_mday),
                      Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec), Int(millis % 1000))
    }
}
