/// Every failure of the Postgres layer.
///
/// `description` names the operation, the SQLSTATE and the server's message, and never contains a
/// password (anything that looks like `password=…` or `user:secret@` is redacted) or a phone
/// number (runs of 6 or more digits in server text are masked). The server's `detail` may quote
/// row values (e.g. a duplicate key), so it is kept as a property and left out of `description`.
import Foundation

public struct PostgresError: Error, Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        /// The connection could not be established or was lost; reconnecting may help.
        case connection
        /// The server rejected a statement (see `sqlState`).
        case server
        /// The caller passed something libpq cannot carry (e.g. a NUL byte in text).
        case invalidArgument
        /// libpq answered something this layer does not expect.
        case protocolViolation
    }

    public var kind: Kind
    /// What was being done: `connect`, `query`, `execute`, `copy out`, `listen`, ...
    public var operation: String
    /// The five-character SQLSTATE from the server, e.g. `23505`; nil for client-side failures.
    public var sqlState: String?
    public var message: String
    public var detail: String?
    public var hint: String?

    public init(kind: Kind, operation: String, sqlState: String? = nil, message: String, detail: String? = nil, hint: String? = nil) {
        self.kind = kind
        self.operation = operation
        self.sqlState = sqlState
        self.message = Redaction.redact(message)
        self.detail = detail.map(Redaction.redact)
        self.hint = hint.map(Redaction.redact)
    }

    /// True when retrying on a new connection may succeed (lost connection, server shutting down,
    /// too many connections, serialization failure / deadlock are *not* included: those are the
    /// caller's retry decision).
    public var isConnectionProblem: Bool {
        if kind == .connection { return true }
        guard let sqlState else { return false }
        // Class 08 (connection exception), 57P01..57P03 (admin/crash shutdown, cannot connect now), 53300 (too many connections).
        return sqlState.hasPrefix("08") || ["57P01", "57P02", "57P03", "53300"].contains(sqlState)
    }

    public var description: String {
        var text = "PostgreSQL \(operation) failed"
        if let sqlState { text += " [\(sqlState)]" }
        text += ": " + Redaction.maskDigits(message)
        if let hint { text += " (hint: \(Redaction.maskDigits(hint)))" }
        return text
    }
}

/// A row value could not be decoded into the wanted Swift type. Never carries the value itself.
public struct PostgresDecodingError: Error, Sendable, CustomStringConvertible {
    public enum Reason: String, Sendable {
        case unexpectedNull = "is NULL"
        case invalidText = "has text that does not parse"
        case noSuchColumn = "does not exist in the result"
    }
    public var column: String
    public var wantedType: String
    public var reason: Reason

    public init(column: String, wantedType: String, reason: Reason) {
        self.column = column
        self.wantedType = wantedType
        self.reason = reason
    }

    public var description: String { "cannot decode column \"\(column)\" as \(wantedType): the value \(reason.rawValue)" }
}

/// Keeps secrets and phone numbers out of error text.
enum Redaction {
    /// Removes `password=…` (quoted or not) and the password part of `scheme://user:password@host`.
    static func redact(_ text: String) -> String {
        var result = ""
        var rest = Substring(text)
        while let range = rest.range(of: "password", options: .caseInsensitive) {
            result += rest[..<range.upperBound]
            var after = rest[range.upperBound...]
            let spaces = after.prefix(while: { $0 == " " })
            after = after.dropFirst(spaces.count)
            guard after.first == "=" else { rest = rest[range.upperBound...]; continue }
            after = after.dropFirst().drop(while: { $0 == " " })
            result += "=***"
            if after.first == "'" {
                var escaped = false
                var index = after.index(after: after.startIndex)
                while index < after.endIndex {
                    let c = after[index]
                    if escaped { escaped = false } else if c == "\\" { escaped = true } else if c == "'" { break }
                    index = after.index(after: index)
                }
                rest = index < after.endIndex ? after[after.index(after: index)...] : after[after.endIndex...]
            } else {
                rest = after.drop(while: { $0 != " " && $0 != "&" && $0 != "\n" })
            }
        }
        result += rest
        return redactURIPassword(result)
    }

    private static func redactURIPassword(_ text: String) -> String {
        guard let scheme = text.range(of: "://") else { return text }
        let authorityEnd = text[scheme.upperBound...].firstIndex(where: { $0 == "/" || $0 == " " || $0 == "?" }) ?? text.endIndex
        let authority = text[scheme.upperBound..<authorityEnd]
        guard let at = authority.lastIndex(of: "@"), let colon = authority[..<at].firstIndex(of: ":") else { return text }
        return String(text[..<authority.index(after: colon)]) + "***" + String(text[at...])
    }

    /// Masks runs of six or more digits (with their separators) so a phone number quoted by the
    /// server (`invalid input syntax for type bigint: "+12065550100"`) does not reach a log.
    static func maskDigits(_ text: String) -> String {
        var out = ""
        var run = ""
        var digits = 0
        func flush() {
            if digits >= 6 {
                let trailing = run.reversed().prefix(while: { !$0.isNumber })
                out += "<masked>" + String(trailing.reversed())
            } else {
                out += run
            }
            run = ""
            digits = 0
        }
        for c in text {
            if c.isASCII && c.isNumber { run.append(c); digits += 1 } else if !run.isEmpty && (c == " " || c == "-" || c == "." || c == "(" || c == ")") {
                run.append(c)
            } else {
                flush()
                out.append(c)
            }
        }
        flush()
        return out
    }
}
