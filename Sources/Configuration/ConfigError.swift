/// A configuration problem: where (`keyPath`), what was expected, and what was found.
/// `found` describes the kind of value (and the value itself only where it cannot be a secret).
///
/// `description` reads `business_units[1].legacy.table: expected schema.table (…), found "billing"`.
public struct ConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Dotted key path with indexes, e.g. `business_units[1].legacy.table`; empty for the file itself.
    public var keyPath: String
    public var expected: String
    public var found: String
    /// The configuration file, when known.
    public var file: String?

    public init(keyPath: String, expected: String, found: String, file: String? = nil) {
        self.keyPath = keyPath
        self.expected = expected
        self.found = found
        self.file = file
    }

    public var description: String {
        let location = keyPath.isEmpty ? (file ?? "configuration") : keyPath
        return "\(location): expected \(expected), found \(found)"
    }
}
