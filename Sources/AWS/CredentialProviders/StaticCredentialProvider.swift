/// Always the same credentials (long-term keys from configuration, tests, the emulator demo).
public struct StaticCredentialProvider: CredentialProvider {
    public let value: Credentials

    public init(_ credentials: Credentials) { self.value = credentials }

    public func credentials() async throws -> Credentials { value }
}
