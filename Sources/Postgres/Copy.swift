import CLibPQ
import Foundation

// COPY in text format, streamed: rows are parsed (out) or escaped (in) on the connection thread,
// with no async hop per row and no whole result in memory.

/// One row of `COPY … TO STDOUT` (text format). Valid only inside the `copyOut` callback: it
/// points into libpq's buffer, hence `~Copyable`.
public struct CopyRow: ~Copyable {
    let bytes: UnsafeBufferPointer<UInt8>
    let ranges: UnsafeBufferPointer<CopyFieldRange>
    /// Number of fields in this row.
    public let count: Int

    public func isNull(_ index: Int) -> Bool { ranges[index].isNull }

    /// The field as text with COPY escapes resolved; nil for NULL (`\N`).
    public func string(_ index: Int) -> String? {
        let range = ranges[index]
        if range.isNull { return nil }
        let slice = UnsafeBufferPointer(rebasing: bytes[Int(range.start)..<Int(range.end)])
        if !range.escaped { return String(decoding: slice, as: UTF8.self) }
        return String(decoding: CopyText.unescape(slice), as: UTF8.self)
    }

    /// The field as a 64-bit integer parsed straight from the buffer; nil for NULL or non-integers.
    public func int64(_ index: Int) -> Int64? {
        let range = ranges[index]
        if range.isNull || range.escaped || range.start == range.end { return nil }
        var i = Int(range.start)
        let end = Int(range.end)
        let negative = bytes[i] == UInt8(ascii: "-")
        if negative || bytes[i] == UInt8(ascii: "+") { i += 1 }
        guard i < end else { return nil }
        var value: Int64 = 0
        while i < end {
            let digit = bytes[i] &- 48
            guard digit < 10 else { return nil }
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let (s, o2) = negative ? m.subtractingReportingOverflow(Int64(digit)) : m.addingReportingOverflow(Int64(digit))
            guard !o1 && !o2 else { return nil }
            value = s
            i += 1
        }
        return value
    }

    /// Decodes field `index` like `PostgresRow.decode`; errors name the field by position.
    public func decode<T: PostgresDecodable>(_ type: T.Type = T.self, at index: Int) throws(PostgresDecodingError) -> T {
        guard let value = try decode(T?.self, at: index) else {
            throw PostgresDecodingError(column: "#\(index)", wantedType: "\(T.self)", reason: .unexpectedNull)
        }
        return value
    }

    public func decode<T: PostgresDecodable>(_ type: T?.Type = T?.self, at index: Int) throws(PostgresDecodingError) -> T? {
        guard index >= 0 && index < count else {
            throw PostgresDecodingError(column: "#\(index)", wantedType: "\(T.self)", reason: .noSuchColumn)
        }
        guard let text = string(index) else { return nil }
        guard let value = T(postgresText: Substring(text)) else {
            throw PostgresDecodingError(column: "#\(index)", wantedType: "\(T.self)", reason: .invalidText)
        }
        return value
    }

    /// All fields as strings (allocates; prefer `string(_:)` / `int64(_:)` in hot loops).
    public var fields: [String?] { (0..<count).map { string($0) } }
}

struct CopyFieldRange {
    var start: Int32
    var end: Int32
    var escaped: Bool
    var isNull: Bool
}

/// Accumulates `COPY … FROM STDIN` data (text format) and sends it in ~256 KiB messages.
/// Write fields with `append`, finish each row with `endRow()`.
public struct CopyWriter: ~Copyable {
    let conn: OpaquePointer
    var buffer: [UInt8] = []
    var fieldsInRow = 0
    /// Rows ended so far.
    public private(set) var rows = 0
    static let flushThreshold = 256 * 1024

    init(conn: OpaquePointer) {
        self.conn = conn
        buffer.reserveCapacity(Self.flushThreshold + 4096)
    }

    /// Appends one text field (nil = NULL), escaping backslash, tab, newline and carriage return.
    public mutating func append(_ value: String?) throws {
        separate()
        guard var value else {
            buffer.append(UInt8(ascii: "\\"))
            buffer.append(UInt8(ascii: "N"))
            return
        }
        try value.withUTF8 { try CopyText.appendEscaped($0, to: &buffer) }
    }

    public mutating func append(_ value: Int64) {
        separate()
        CopyText.appendDecimal(value, to: &buffer)
    }

    public mutating func append(_ value: Int) {
        append(Int64(value))
    }

    /// Any other encodable value (Bool, Double, Date, [String], optionals) in its text form.
    public mutating func append<T: PostgresEncodable>(_ value: T) throws {
        try append(value.postgresText)
    }

    /// Appends a whole row.
    public mutating func appendRow(_ fields: [String?]) throws {
        for field in fields { try append(field) }
        try endRow()
    }

    public mutating func endRow() throws {
        buffer.append(UInt8(ascii: "\n"))
        fieldsInRow = 0
        rows += 1
        if buffer.count >= Self.flushThreshold { try flush() }
    }

    private mutating func separate() {
        if fieldsInRow > 0 { buffer.append(UInt8(ascii: "\t")) }
        fieldsInRow += 1
    }

    mutating func flush() throws {
        guard !buffer.isEmpty else { return }
        let sent = buffer.withUnsafeBufferPointer { bytes in
            bytes.withMemoryRebound(to: CChar.self) { PQputCopyData(conn, $0.baseAddress, Int32($0.count)) }
        }
        guard sent == 1 else { throw makeError(conn, nil, operation: "copy in") }
        buffer.removeAll(keepingCapacity: true)
    }
}

enum CopyText {
    /// Splits one COPY text row (without its newline) into field ranges; returns the field count.
    static func split(_ bytes: UnsafeBufferPointer<UInt8>, into ranges: inout [CopyFieldRange]) -> Int {
        var count = 0
        var start = 0
        var escaped = false
        var i = 0
        let n = bytes.count
        func add(_ end: Int) {
            let isNull = escaped && end - start == 2 && bytes[start + 1] == UInt8(ascii: "N")
            let range = CopyFieldRange(start: Int32(start), end: Int32(end), escaped: escaped && !isNull, isNull: isNull)
            if count < ranges.count { ranges[count] = range } else { ranges.append(range) }
            count += 1
        }
        while i < n {
            let b = bytes[i]
            if b == 9 {
                add(i)
                start = i + 1
                escaped = false
            } else if b == 92 {
                escaped = true
                i += 1  // the escaped byte is never a separator
            }
            i += 1
        }
        add(n)
        return count
    }

    static func unescape(_ bytes: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = 0
        while i < bytes.count {
            var b = bytes[i]
            if b == 92 && i + 1 < bytes.count {
                i += 1
                let c = bytes[i]
                switch c {
                case UInt8(ascii: "b"): b = 8
                case UInt8(ascii: "f"): b = 12
                case UInt8(ascii: "n"): b = 10
                case UInt8(ascii: "r"): b = 13
                case UInt8(ascii: "t"): b = 9
                case UInt8(ascii: "v"): b = 11
                case UInt8(ascii: "0")...UInt8(ascii: "7"):
                    var value = Int(c - 48)
                    var digits = 1
                    while digits < 3, i + 1 < bytes.count, (48...55).contains(bytes[i + 1]) {
                        i += 1
                        value = value * 8 + Int(bytes[i] - 48)
                        digits += 1
                    }
                    b = UInt8(truncatingIfNeeded: value)
                default: b = c
                }
            }
            out.append(b)
            i += 1
        }
        return out
    }

    static func appendEscaped(_ bytes: UnsafeBufferPointer<UInt8>, to buffer: inout [UInt8]) throws {
        // Fast path: most values need no escaping and are copied in one go.
        if !bytes.contains(where: { $0 == 92 || $0 < 14 && ($0 == 9 || $0 == 10 || $0 == 13 || $0 == 0) }) {
            buffer.append(contentsOf: bytes)
            return
        }
        for b in bytes {
            switch b {
            case 92: buffer.append(92); buffer.append(92)
            case 9: buffer.append(92); buffer.append(UInt8(ascii: "t"))
            case 10: buffer.append(92); buffer.append(UInt8(ascii: "n"))
            case 13: buffer.append(92); buffer.append(UInt8(ascii: "r"))
            case 0: throw PostgresError(kind: .invalidArgument, operation: "copy in", message: "a field contains a NUL byte, which PostgreSQL text cannot hold")
            default: buffer.append(b)
            }
        }
    }

    static func appendDecimal(_ value: Int64, to buffer: inout [UInt8]) {
        if value < 0 { buffer.append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                     UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var count = 0
        withUnsafeMutableBytes(of: &digits) { d in
            repeat {
                d[count] = UInt8(magnitude % 10) + 48
                magnitude /= 10
                count += 1
            } while magnitude > 0
            while count > 0 {
                count -= 1
                buffer.append(d[count])
            }
        }
    }
}

extension PostgresConnection {
    /// Streams the rows of `COPY … TO STDOUT` (text format) through `body`, one at a time, on the
    /// connection thread; returns the row count. `body` must not keep the row. COPY accepts no bind
    /// parameters, so the statement may only use identifiers and literals (`SQL` with no binds).
    /// If `body` throws, the COPY is cancelled on the server and the error is rethrown.
    @discardableResult
    public func copyOut(_ sql: SQL, _ body: (borrowing CopyRow) throws -> Void) async throws -> Int {
        try await withConnection(operation: "copy out") { conn in
            try startCopy(conn, sql, expecting: PGRES_COPY_OUT, operation: "copy out")
            var ranges: [CopyFieldRange] = []
            ranges.reserveCapacity(16)
            var failure: (any Error)?
            var buffer: UnsafeMutablePointer<CChar>? = nil
            while true {
                let length = PQgetCopyData(conn, &buffer, 0)
                if length < 0 { break }
                defer { PQfreemem(buffer) }
                if failure != nil { continue }  // draining after a cancel
                let raw = UnsafeRawPointer(buffer!).assumingMemoryBound(to: UInt8.self)
                var count = Int(length)
                if count > 0 && raw[count - 1] == 10 { count -= 1 }
                let bytes = UnsafeBufferPointer(start: raw, count: count)
                let fieldCount = CopyText.split(bytes, into: &ranges)
                do {
                    try ranges.withUnsafeBufferPointer { r in
                        try body(CopyRow(bytes: bytes, ranges: r, count: fieldCount))
                    }
                } catch {
                    failure = error
                    cancelRunningQuery(conn)
                }
            }
            let result = finishCommand(conn, operation: "copy out")
            if let failure { throw failure }
            return try result.get()
        }
    }

    /// Runs `COPY … FROM STDIN` (text format) with rows produced by `write` on the connection
    /// thread, sent in ~256 KiB messages; returns the number of rows the server stored. If `write`
    /// throws, the COPY is aborted (nothing is stored) and the error is rethrown.
    @discardableResult
    public func copyIn(_ sql: SQL, _ write: (inout CopyWriter) throws -> Void) async throws -> Int {
        try await withConnection(operation: "copy in") { conn in
            try startCopy(conn, sql, expecting: PGRES_COPY_IN, operation: "copy in")
            var writer = CopyWriter(conn: conn)
            do {
                try write(&writer)
                try writer.flush()
            } catch {
                PQputCopyEnd(conn, "aborted by the client")
                _ = finishCommand(conn, operation: "copy in")
                throw error
            }
            guard PQputCopyEnd(conn, nil) == 1 else { throw makeError(conn, nil, operation: "copy in") }
            return try finishCommand(conn, operation: "copy in").get()
        }
    }
}

/// Sends the COPY statement and checks that the server entered the expected COPY state.
private func startCopy(_ conn: OpaquePointer, _ sql: SQL, expecting: ExecStatusType, operation: String) throws {
    guard sql.binds.isEmpty else {
        throw PostgresError(kind: .invalidArgument, operation: operation, message: "COPY cannot take bind parameters")
    }
    try rejectNUL(in: sql.text, operation: operation)
    let result = PQexec(conn, sql.text)
    defer { PQclear(result) }
    guard PQresultStatus(result) == expecting else {
        let error = makeError(conn, result, operation: operation)
        // A statement that was not a COPY in this direction may have left results behind.
        while let extra = PQgetResult(conn) { PQclear(extra) }
        throw error
    }
}

/// Reads the results after a COPY (or a cancelled statement) until libpq has none left; returns the
/// affected row count or the first error.
func finishCommand(_ conn: OpaquePointer, operation: String) -> Result<Int, PostgresError> {
    var outcome: Result<Int, PostgresError> = .success(0)
    var sawResult = false
    while let result = PQgetResult(conn) {
        if !sawResult {
            sawResult = true
            if PQresultStatus(result) == PGRES_COMMAND_OK {
                outcome = .success(Int(String(cString: PQcmdTuples(result))) ?? 0)
            } else {
                outcome = .failure(makeError(conn, result, operation: operation))
            }
        }
        PQclear(result)
    }
    if !sawResult { outcome = .failure(makeError(conn, nil, operation: operation)) }
    return outcome
}

/// Asks the server to cancel the statement running on `conn` (a separate short connection).
func cancelRunningQuery(_ conn: OpaquePointer) {
    guard let cancel = PQgetCancel(conn) else { return }
    var errorBuffer = [CChar](repeating: 0, count: 256)
    _ = PQcancel(cancel, &errorBuffer, Int32(errorBuffer.count))
    PQfreeCancel(cancel)
}
