import Foundation

/// The resolution order users expect (docs/iam.md): environment; shared files (profile, credential_process,
/// role_arn/source_profile); web identity; container endpoint; EC2 IMDSv2. Wrapped in a cache.
public enum DefaultCredentialChain {
    /// Builds the default chain. Everything it reads comes in as parameters: the composition root passes
    /// `ProcessInfo.processInfo.environment`, the production transport and `{ Date() }`.
    ///
    /// - Parameters:
    ///   - profile: `aws.profile` from the config; nil means `AWS_PROFILE`, else `default`.
    ///   - region: the STS region; nil means `AWS_REGION`, `AWS_DEFAULT_REGION`, the profile's `region`, `us-east-1`.
    ///   - stsEndpoint: nil means `AWS_ENDPOINT_URL_STS` or the regional endpoint.
    ///   - containerHost / imdsEndpoint: the link-local hosts, injectable for tests.
    public static func make(
        environment: [String: String],
        profile: String? = nil,
        transport: any HTTPTransport,
        region: String? = nil,
        stsEndpoint: URL? = nil,
        containerHost: URL = ContainerCredentialProvider.ecsHost,
        imdsEndpoint: URL = IMDSv2CredentialProvider.defaultEndpoint,
        refreshWindow: TimeInterval = 300,
        now: @escaping @Sendable () -> Date
    ) -> CachingCredentialProvider {
        let region = region ?? environment.nonEmpty("AWS_REGION") ?? environment.nonEmpty("AWS_DEFAULT_REGION")
        let stsEndpoint = stsEndpoint ?? environment.nonEmpty("AWS_ENDPOINT_URL_STS").flatMap(URL.init(string:))
        let sts = STSClient(transport: transport, region: region ?? "us-east-1", endpoint: stsEndpoint)

        func built(_ make: () throws -> any CredentialProvider) -> any CredentialProvider {
            do { return try make() } catch let error as CredentialError {
                return UnavailableCredentialProvider(error: error)
            } catch {
                return UnavailableCredentialProvider(error: .invalid("chain", "provider could not be built"))
            }
        }

        let chain = CredentialProviderChain([
            ("environment", EnvironmentCredentialProvider(environment: environment)),
            ("profile", ProfileCredentialProvider(profile: profile, environment: environment, transport: transport,
                                                  region: region, stsEndpoint: stsEndpoint, now: now)),
            ("web-identity", built { try WebIdentityCredentialProvider(environment: environment, sts: sts, now: now) }),
            ("container", built { try ContainerCredentialProvider(environment: environment, transport: transport, relativeBase: containerHost) }),
            ("imds", built { try IMDSv2CredentialProvider(environment: environment, transport: transport, endpoint: imdsEndpoint) }),
        ])
        return CachingCredentialProvider(chain, refreshWindow: refreshWindow, now: now)
    }
}
