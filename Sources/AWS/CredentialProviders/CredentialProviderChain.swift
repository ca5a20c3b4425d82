import Synchronization

/// Tries providers in order and returns the first credentials. A provider that is `.notConfigured`
/// is noted and skipped; one that is configured but fails stops the chain with its own error, carrying
/// the notes so far. When none yields, a `.notConfigured` error lists why each one did not.
///
/// Once a provider has yielded, later calls go to it directly (as the AWS SDKs do), so a refresh does not
/// wander to another identity.
public final class CredentialProviderChain: CredentialProvider {
    public let providers: [(name: String, provider: any CredentialProvider)]
    private let chosen = Mutex<Int?>(nil)

    public init(_ providers: [(name: String, provider: any CredentialProvider)]) {
        self.providers = providers
    }

    /// The name of the provider that yielded, once one has.
    public var resolvedProviderName: String? { chosen.withLock { $0 }.map { providers[$0].name } }

    public func credentials() async throws -> Credentials {
        if let index = chosen.withLock({ $0 }) {
            return try await providers[index].provider.credentials()
        }
        var notes: [CredentialError] = []
        for (index, entry) in providers.enumerated() {
            do {
                let credentials = try await entry.provider.credentials()
                chosen.withLock { $0 = $0 ?? index }
                return credentials
            } catch let error as CredentialError where error.kind == .notConfigured {
                notes.append(error)
            } catch var error as CredentialError {
                error.causes = notes + error.causes
                throw error
            } catch {
                throw CredentialError(provider: entry.name, kind: .failed, detail: "unexpected error \(type(of: error))", causes: notes)
            }
        }
        throw CredentialError(provider: "chain", kind: .notConfigured, detail: "no credentials found", causes: notes)
    }
}

/// A provider that failed while being built (its configuration was invalid or absent): it throws that error
/// when asked, so the chain reports it in place.
struct UnavailableCredentialProvider: CredentialProvider {
    let error: CredentialError
    func credentials() async throws -> Credentials { throw error }
}
