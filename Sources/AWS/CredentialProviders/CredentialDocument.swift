import Foundation

/// ISO 8601 timestamps as AWS writes them (`2026-12-03T19:30:00Z`, with or without fractional seconds).
enum ISO8601 {
    static func date(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.date(from: text)
    }
}

/// The JSON credential document shared by the container endpoint, IMDS (`Token`) and
/// `credential_process` (`SessionToken`, `Version: 1`): `{AccessKeyId, SecretAccessKey, Token, Expiration}`.
enum CredentialDocument {
    /// Decodes the document; errors name the missing field, never a value.
    static func decode(_ bytes: [UInt8], provider: String, tokenKey: String, requireVersion1: Bool = false) throws -> Credentials {
        guard let object = try? JSONSerialization.jsonObject(with: Data(bytes)), let json = object as? [String: Any] else {
            throw CredentialError.failed(provider, "response is not a JSON object")
        }
        if requireVersion1 {
            guard (json["Version"] as? NSNumber)?.intValue == 1 else {
                throw CredentialError.failed(provider, "output must have \"Version\": 1")
            }
        }
        func string(_ key: String) -> String? {
            guard let value = json[key] as? String, !value.isEmpty else { return nil }
            return value
        }
        guard let accessKeyID = string("AccessKeyId") else { throw CredentialError.failed(provider, "response has no AccessKeyId") }
        guard let secret = string("SecretAccessKey") else { throw CredentialError.failed(provider, "response has no SecretAccessKey") }
        var expiration: Date?
        if let text = string("Expiration") {
            guard let date = ISO8601.date(text) else {
                throw CredentialError.failed(provider, "Expiration is not an ISO 8601 timestamp")
            }
            expiration = date
        }
        return Credentials(accessKeyID: accessKeyID, secretAccessKey: secret, sessionToken: string(tokenKey), expiration: expiration)
    }
}
