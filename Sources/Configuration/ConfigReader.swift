import JSON
/// A strict reader over one JSON object that knows its key path: it rejects unknown keys
/// (suggesting the closest known one) and turns every type mismatch into a `ConfigError`.
struct ObjectReader {
    let path: String
    private let fields: [String: JSONValue]

    /// Reads `value` as an object whose keys must all be in `keys`.
    init(_ value: JSONValue, path: String, keys: [String]) throws(ConfigError) {
        guard case .object(let fields) = value else {
            throw ConfigError(keyPath: path, expected: "an object", found: value.kind)
        }
        for key in fields.keys.sorted() where !keys.contains(key) {
            var expected = "one of the keys " + keys.joined(separator: ", ")
            if let near = Spelling.closest(to: key, among: keys) { expected = "a known key (did you mean \"\(near)\"?)" }
            throw ConfigError(keyPath: ObjectReader.join(path, key), expected: expected, found: "an unknown key")
        }
        self.path = path
        self.fields = fields
    }

    static func join(_ path: String, _ key: String) -> String { path.isEmpty ? key : path + "." + key }

    func keyPath(_ key: String) -> String { ObjectReader.join(path, key) }

    /// Whether `key` is present with the value `null`.
    func isNull(_ key: String) -> Bool { fields[key] == .null }

    /// The value under `key`, or nil when it is missing or `null`.
    func value(_ key: String) -> JSONValue? {
        guard let value = fields[key], value != .null else { return nil }
        return value
    }

    /// The value under `key`; missing or null is an error.
    func required(_ key: String, expected: String) throws(ConfigError) -> JSONValue {
        guard let value = value(key) else {
            throw ConfigError(keyPath: keyPath(key), expected: expected, found: fields[key] == nil ? "nothing (the key is missing)" : "null")
        }
        return value
    }

    /// An optional object under `key`, as a reader; a missing or null object reads as `{}`.
    func object(_ key: String, keys: [String]) throws(ConfigError) -> ObjectReader {
        try ObjectReader(value(key) ?? .object([:]), path: keyPath(key), keys: keys)
    }

    /// An optional string. A mismatch reports only the kind found, never the value.
    func string(_ key: String, expected: String = "a string") throws(ConfigError) -> String? {
        guard let value = value(key) else { return nil }
        guard case .string(let text) = value else {
            throw ConfigError(keyPath: keyPath(key), expected: expected, found: value.kind)
        }
        return text
    }

    func requiredString(_ key: String, expected: String) throws(ConfigError) -> String {
        let value = try required(key, expected: expected)
        guard case .string(let text) = value else {
            throw ConfigError(keyPath: keyPath(key), expected: expected, found: value.kind)
        }
        return text
    }

    func bool(_ key: String, default defaultValue: Bool) throws(ConfigError) -> Bool {
        guard let value = value(key) else { return defaultValue }
        guard case .bool(let flag) = value else {
            throw ConfigError(keyPath: keyPath(key), expected: "true or false", found: value.kind)
        }
        return flag
    }

    /// An optional positive number (fractions allowed).
    func positiveNumber(_ key: String) throws(ConfigError) -> Double? {
        guard let value = value(key) else { return nil }
        return try ObjectReader.positiveNumber(value, path: keyPath(key))
    }

    static func positiveNumber(_ value: JSONValue, path: String) throws(ConfigError) -> Double {
        guard case .number(let number) = value else {
            throw ConfigError(keyPath: path, expected: "a positive number", found: value.kind)
        }
        guard number > 0, number.isFinite else {
            throw ConfigError(keyPath: path, expected: "a positive number", found: ObjectReader.render(number))
        }
        return number
    }

    /// An optional positive whole number.
    func positiveInteger(_ key: String) throws(ConfigError) -> Int? {
        guard let value = value(key) else { return nil }
        guard case .number(let number) = value else {
            throw ConfigError(keyPath: keyPath(key), expected: "a positive whole number", found: value.kind)
        }
        guard number >= 1, number <= 1_000_000_000, number.rounded() == number else {
            throw ConfigError(keyPath: keyPath(key), expected: "a positive whole number", found: ObjectReader.render(number))
        }
        return Int(number)
    }

    /// An optional list of strings; `null` or missing reads as nil.
    func strings(_ key: String, expected: String) throws(ConfigError) -> [String]? {
        guard let value = value(key) else { return nil }
        guard case .array(let items) = value else {
            throw ConfigError(keyPath: keyPath(key), expected: "a list of \(expected)", found: value.kind)
        }
        var result: [String] = []
        for (index, item) in items.enumerated() {
            guard case .string(let text) = item else {
                throw ConfigError(keyPath: keyPath(key) + "[\(index)]", expected: expected, found: item.kind)
            }
            result.append(text)
        }
        return result
    }

    /// An optional value of a string enum, e.g. `send`/`quarantine`.
    func choice<E: RawRepresentable & CaseIterable>(_ key: String, as type: E.Type) throws(ConfigError) -> E? where E.RawValue == String {
        let choices = E.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: " or ")
        guard let text = try string(key, expected: choices) else { return nil }
        guard let value = E(rawValue: text) else {
            throw ConfigError(keyPath: keyPath(key), expected: choices, found: ObjectReader.quote(text))
        }
        return value
    }

    /// A string value quoted for a message, shortened if long.
    static func quote(_ text: String) -> String {
        let shown = text.count > 80 ? String(text.prefix(77)) + "..." : text
        return "\"" + shown.replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    static func render(_ number: Double) -> String {
        number.rounded() == number && abs(number) < 1e15 ? String(Int64(number)) : String(number)
    }
}
