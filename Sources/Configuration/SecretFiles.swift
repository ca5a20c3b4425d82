import Foundation

/// Where secrets come from: a file named in the configuration.
///
/// - An absolute path (`/etc/optout-sync/pgpass`) is read as is.
/// - A bare name or relative path (`pgpass`) is a systemd credential: it is read from
///   `$CREDENTIALS_DIRECTORY/NAME` (set by `LoadCredential=` / `LoadCredentialEncrypted=`). Without
///   `$CREDENTIALS_DIRECTORY` a relative name is an error (it would otherwise depend on the working directory).
///
/// The first line is the secret (ended by `\n` or `\r\n`). The value never appears in errors.
enum SecretFiles {
    static let expectedForm = "an absolute file path, or a credential name read from $CREDENTIALS_DIRECTORY"

    static func resolve(_ name: String, keyPath: String, environment: [String: String]) throws(ConfigError) -> String {
        guard !name.isEmpty, !name.contains("\u{0}") else {
            throw ConfigError(keyPath: keyPath, expected: expectedForm, found: "an empty string")
        }
        if name.hasPrefix("/") { return name }
        guard let directory = environment["CREDENTIALS_DIRECTORY"], !directory.isEmpty else {
            throw ConfigError(keyPath: keyPath, expected: expectedForm,
                              found: "the relative name \(ObjectReader.quote(name)) while $CREDENTIALS_DIRECTORY is not set")
        }
        guard !name.split(separator: "/").contains("..") else {
            throw ConfigError(keyPath: keyPath, expected: "a credential name inside $CREDENTIALS_DIRECTORY", found: ObjectReader.quote(name))
        }
        return URL(fileURLWithPath: directory).appendingPathComponent(name).path
    }

    static func readFirstLine(_ path: String, keyPath: String) throws(ConfigError) -> Secret {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw ConfigError(keyPath: keyPath, expected: "a readable file whose first line is the password",
                              found: "\(ConfigLoader.describeFileError(error)) at \(path)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigError(keyPath: keyPath, expected: "a UTF-8 file whose first line is the password", found: "a binary file at \(path)")
        }
        let line = String(text.prefix(while: { !$0.isNewline }))
        guard !line.isEmpty else {
            throw ConfigError(keyPath: keyPath, expected: "a file whose first line is the password", found: "an empty first line in \(path)")
        }
        return Secret(line)
    }
}
