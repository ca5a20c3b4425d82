/// A statement and its bound parameters.
///
/// Built by string interpolation, every interpolated value becomes a `$n` bind with an explicit type:
///
///     let sql: SQL = "SELECT e164 FROM \(identifier: schema).outbox WHERE bu = \(bu) AND lane = \(lane)"
///
/// - `\(value)` binds any `PostgresEncodable` (String, Int, Int64, Bool, Double, Date, [String], optionals).
/// - `\(identifier: name)` inserts one quoted identifier (`quoteIdentifier`).
/// - `\(table)` with a `PostgresQualifiedName` inserts `"schema"."table"`.
/// - `\(unsafeRaw: fragment)` inserts operator-supplied SQL verbatim (e.g. a configured
///   `opted_out_where` predicate). Never pass data through it.
public struct SQL: Sendable, ExpressibleByStringInterpolation, CustomStringConvertible {
    public private(set) var text: String
    public private(set) var binds: [PostgresBind]

    /// Operator-supplied parameterised SQL (e.g. `write_back_sql` using `$1..$3`) with its binds.
    /// Binds carry explicit types, so parameters the statement does not reference are fine.
    public init(unsafeSQL text: String, binds: [PostgresBind] = []) {
        self.text = text
        self.binds = binds
    }

    public init(stringLiteral value: String) {
        self.init(unsafeSQL: value)
    }

    public init(stringInterpolation: StringInterpolation) {
        self.init(unsafeSQL: stringInterpolation.text, binds: stringInterpolation.binds)
    }

    /// The statement text with placeholders; binds are not shown (they may be phone numbers).
    public var description: String { text }

    public struct StringInterpolation: StringInterpolationProtocol {
        var text = ""
        var binds: [PostgresBind] = []

        public init(literalCapacity: Int, interpolationCount: Int) {
            text.reserveCapacity(literalCapacity + interpolationCount * 3)
        }

        public mutating func appendLiteral(_ literal: String) {
            text += literal
        }

        public mutating func appendInterpolation<Value: PostgresEncodable>(_ value: Value) {
            binds.append(value.postgresBind)
            text += "$\(binds.count)"
        }

        /// An optional binds NULL when nil (spelled out so that interpolating an optional is not a warning).
        public mutating func appendInterpolation<Value: PostgresEncodable>(_ value: Value?) {
            binds.append(value.postgresBind)
            text += "$\(binds.count)"
        }

        public mutating func appendInterpolation(identifier: String) {
            text += quoteIdentifier(identifier)
        }

        public mutating func appendInterpolation(_ name: PostgresQualifiedName) {
            text += name.quoted
        }

        public mutating func appendInterpolation(unsafeRaw fragment: String) {
            text += fragment
        }
    }
}

/// The one function that quotes an identifier: `my"table` → `"my""table"`. The name is used
/// exactly as given (case preserved). NUL cannot occur in PostgreSQL identifiers; statements
/// containing one are rejected before they reach the server.
public func quoteIdentifier(_ name: String) -> String {
    "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
}

/// `schema.table` as written in configuration, following PostgreSQL's own rules: unquoted parts
/// fold to lower case, quoted parts (`"Marketing"."StopList"`) keep their case and may contain
/// dots and doubled quotes. A name without a schema resolves through `search_path`.
public struct PostgresQualifiedName: Sendable, Hashable, CustomStringConvertible {
    public var schema: String?
    public var name: String

    public init(schema: String?, name: String) {
        self.schema = schema
        self.name = name
    }

    public struct ParseError: Error, Sendable, CustomStringConvertible {
        public var input: String
        public var reason: String
        public var description: String { "invalid qualified name \"\(input)\": \(reason)" }
    }

    public init(parsing input: String) throws(ParseError) {
        var parts: [String] = []
        var scalars = input.unicodeScalars[...]
        func fail(_ reason: String) -> ParseError { ParseError(input: input, reason: reason) }
        while true {
            scalars = scalars.drop(while: { $0 == " " })
            var part = ""
            if scalars.first == "\"" {
                scalars = scalars.dropFirst()
                var closed = false
                while let c = scalars.first {
                    scalars = scalars.dropFirst()
                    if c == "\"" {
                        if scalars.first == "\"" { part += "\""; scalars = scalars.dropFirst(); continue }
                        closed = true
                        break
                    }
                    part.unicodeScalars.append(c)
                }
                guard closed else { throw fail("unterminated quoted identifier") }
                guard !part.isEmpty else { throw fail("empty quoted identifier") }
            } else {
                let raw = scalars.prefix(while: { $0 != "." && $0 != " " && $0 != "\"" })
                scalars = scalars.dropFirst(raw.count)
                // Like the server: only ASCII letters fold.
                part = String(String.UnicodeScalarView(raw.map { $0.value >= 65 && $0.value <= 90 ? Unicode.Scalar($0.value + 32)! : $0 }))
                guard !part.isEmpty else { throw fail("empty name part") }
            }
            parts.append(part)
            scalars = scalars.drop(while: { $0 == " " })
            if scalars.isEmpty { break }
            guard scalars.first == "." else { throw fail("unexpected character after a name part") }
            scalars = scalars.dropFirst()
        }
        guard parts.allSatisfy({ !$0.unicodeScalars.contains("\0") }) else { throw fail("NUL in a name") }
        switch parts.count {
        case 1: self.init(schema: nil, name: parts[0])
        case 2: self.init(schema: parts[0], name: parts[1])
        default: throw fail("expected table or schema.table")
        }
    }

    /// `"schema"."name"` (or `"name"`), ready to splice into SQL.
    public var quoted: String {
        if let schema { return quoteIdentifier(schema) + "." + quoteIdentifier(name) }
        return quoteIdentifier(name)
    }

    public var description: String { quoted }
}
