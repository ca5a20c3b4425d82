import AWS
import Configuration
import Foundation
import Logging
import OptOutSync

/// Builds the AWS side of the composition root once per process: one transport, one credential
/// chain (cached), one role provider per (role, external id), one client per BU region, and the
/// gateway whose rate limiter every BU of an account and region shares.
struct AWSSetup {
    let transport: CurlTransport
    let gateway: AWSGateway
    let targets: [String: AWSTarget]

    init(_ context: CommandContext, putRateOverride: Double? = nil) throws {
        let config = context.config
        let environment = context.environment
        let now: @Sendable () -> Date = { Date() }
        transport = CurlTransport(maxInFlight: config.aws.maxInFlight)
        let defaultRegion = config.aws.region ?? config.businessUnits.first?.awsRegion ?? "us-east-1"
        let base = DefaultCredentialChain.make(environment: environment, profile: config.aws.profile,
                                               transport: transport, region: defaultRegion, now: now)
        let roles = RoleProviderFactory(
            sts: STSClient(transport: transport, region: defaultRegion,
                           endpoint: environment["AWS_ENDPOINT_URL_STS"].flatMap(URL.init(string:))),
            now: now)
        var targets: [String: AWSTarget] = [:]
        for unit in config.businessUnits {
            let endpoint = try SMSVoiceEndpoint.resolve(region: unit.awsRegion, configured: config.aws.endpointURL?.absoluteString,
                                                        environment: environment)
            let credentials = unit.roleARN.map { roles.roleProvider(for: $0.description, externalID: unit.externalID, base: base) } ?? base
            let client = SMSVoiceClient(endpoint: endpoint.url, region: unit.awsRegion, credentials: credentials,
                                        transport: transport, logger: context.logger.with("bu", unit.name))
            targets[unit.name] = AWSTarget(client: client, listName: unit.optOutList.description,
                                           account: unit.account, region: unit.awsRegion)
        }
        self.targets = targets
        var rates = config.aws.rateLimits
        if let putRateOverride { rates["PutOptedOutNumber"] = putRateOverride }
        let limiter = RateLimiter(
            configuration: RateLimitConfiguration(rates: rates, maxInFlight: config.aws.maxInFlight, adaptive: config.aws.adaptive),
            clock: ContinuousClock(), logger: context.logger)
        gateway = AWSGateway(limiter: limiter, policy: RetryPolicy(maxAttempts: config.aws.maxAttempts),
                             clock: ContinuousClock(), logger: context.logger)
    }
}
