import Foundation

/// A profile of the shared config and credentials files: static keys, `credential_process`,
/// `role_arn` with `source_profile` (chained) or `credential_source`, or `web_identity_token_file`.
///
/// The files are read at each call, so a refresh sees edits. The profile is the one given, else
/// `AWS_PROFILE`, else `default`; a missing `default` profile is `.notConfigured` (the chain moves on),
/// a missing profile asked for by another name is `.invalidConfiguration`.
public struct ProfileCredentialProvider: CredentialProvider {
    public let profile: String
    let profileWasNamed: Bool
    public let environment: [String: String]
    public let configPath: String
    public let credentialsPath: String
    /// For `AssumeRole` / `AssumeRoleWithWebIdentity` and for IMDS / container `credential_source`s.
    public let transport: any HTTPTransport
    /// STS region: this, else the profile's `region`, else `us-east-1`.
    public let region: String?
    public let stsEndpoint: URL?
    public let now: @Sendable () -> Date

    public init(profile: String?, environment: [String: String], transport: any HTTPTransport, region: String?,
                stsEndpoint: URL? = nil, now: @escaping @Sendable () -> Date) {
        let named = profile ?? environment.nonEmpty("AWS_PROFILE")
        self.profile = named ?? "default"
        // Configuration resolves an unset profile to "default", so that name never makes a missing profile an error.
        self.profileWasNamed = named != nil && named != "default"
        self.environment = environment
        (self.configPath, self.credentialsPath) = SharedConfigFiles.paths(environment: environment)
        self.transport = transport
        self.region = region
        self.stsEndpoint = stsEndpoint
        self.now = now
    }

    public func credentials() async throws -> Credentials {
        let files = SharedConfigFiles.load(configPath: configPath, credentialsPath: credentialsPath)
        let source: ProfileCredentialSource
        do {
            source = try files.source(forProfile: profile, defaultSessionName: defaultSessionName(now()))
        } catch var error as CredentialError where error.kind == .notConfigured && profileWasNamed && files.profiles[profile] == nil {
            error.kind = .invalidConfiguration
            error.detail += " (\(configPath), \(credentialsPath))"
            throw error
        }
        let sts = STSClient(transport: transport, region: region ?? files.profiles[profile]?.nonEmpty("region") ?? "us-east-1",
                            endpoint: stsEndpoint)
        do {
            return try await resolve(source, sts: sts)
        } catch var error as CredentialError where error.kind == .notConfigured {
            // The profile is configured; a source that has nothing to offer makes it fail.
            error.kind = .failed
            throw error.within("profile \(profile)")
        }
    }

    private func resolve(_ source: ProfileCredentialSource, sts: STSClient) async throws -> Credentials {
        let label = "profile \(profile)"
        switch source {
        case .staticKeys(let credentials):
            return credentials
        case .process(let command):
            return try await CredentialProcessProvider(command: command, environment: environment,
                                                       label: "\(label) credential_process").credentials()
        case .assumeRole(let request, let inner):
            let sourceCredentials = try await resolve(inner, sts: sts)
            return try await sts.assumeRole(request, source: sourceCredentials, date: now(), provider: "\(label) role \(request.roleARN)")
        case .webIdentity(let roleARN, let sessionName, let tokenFile):
            return try await WebIdentityCredentialProvider(roleARN: roleARN, tokenFile: tokenFile, sessionName: sessionName,
                                                          sts: sts, now: now).credentials()
        case .environment:
            return try await EnvironmentCredentialProvider(environment: environment).credentials()
        case .instanceMetadata:
            return try await IMDSv2CredentialProvider(environment: environment, transport: transport).credentials()
        case .container:
            return try await ContainerCredentialProvider(environment: environment, transport: transport).credentials()
        }
    }
}
