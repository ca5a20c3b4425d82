import Foundation

/// Where SMS Voice v2 requests go: an override (emulator, VPC endpoint) or the regional endpoint,
/// optionally FIPS and/or dual-stack, per the service's endpoint rule set
/// (`https://sms-voice[-fips].{Region}.{dnsSuffix | dualStackDnsSuffix}`).
public struct SMSVoiceEndpoint: Sendable, Equatable {
    public var region: String
    public var useFIPS: Bool
    public var useDualStack: Bool
    /// `aws.endpoint_url` or `AWS_ENDPOINT_URL[_PINPOINT_SMS_VOICE_V2]`; wins over everything else.
    public var override: URL?

    public init(region: String, useFIPS: Bool = false, useDualStack: Bool = false, override: URL? = nil) {
        self.region = region
        self.useFIPS = useFIPS
        self.useDualStack = useDualStack
        self.override = override
    }

    /// The base URL requests are sent to.
    public var url: URL {
        if let override { return override }
        let suffix = Self.partitionSuffix(region: region)
        let host = "sms-voice\(useFIPS ? "-fips" : "").\(region).\(useDualStack ? suffix.dualStack : suffix.dns)"
        return URL(string: "https://\(host)")!
    }

    /// Completes explicit settings with the standard environment variables:
    /// `AWS_ENDPOINT_URL_PINPOINT_SMS_VOICE_V2` (service-specific) or `AWS_ENDPOINT_URL` when
    /// `configured` is nil, `AWS_USE_FIPS_ENDPOINT` and `AWS_USE_DUALSTACK_ENDPOINT` (`true`/`false`).
    public static func resolve(
        region: String, configured endpointURL: String?, environment: [String: String]
    ) throws -> SMSVoiceEndpoint {
        let text = endpointURL
            ?? environment["AWS_ENDPOINT_URL_PINPOINT_SMS_VOICE_V2"]
            ?? environment["AWS_ENDPOINT_URL"]
        var override: URL?
        if let text, !text.isEmpty {
            guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
                  url.host?.isEmpty == false else {
                throw EndpointError(value: text, problem: "expected an http:// or https:// URL with a host")
            }
            override = url
        }
        func flag(_ name: String) throws -> Bool {
            switch environment[name]?.lowercased() {
            case nil, "", "false": return false
            case "true": return true
            case let other?: throw EndpointError(value: other, problem: "\(name) must be true or false")
            }
        }
        guard Self.isValidRegion(region) else {
            throw EndpointError(value: region, problem: "not a valid AWS region name")
        }
        return SMSVoiceEndpoint(region: region, useFIPS: try flag("AWS_USE_FIPS_ENDPOINT"),
                                useDualStack: try flag("AWS_USE_DUALSTACK_ENDPOINT"), override: override)
    }

    /// Region names are host labels: letters, digits and dashes.
    public static func isValidRegion(_ region: String) -> Bool {
        !region.isEmpty && region.count <= 63 && region.utf8.allSatisfy { byte in
            (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: "-")
        } && !region.hasPrefix("-") && !region.hasSuffix("-")
    }

    /// DNS suffixes of the AWS partitions (botocore's partitions.json).
    static func partitionSuffix(region: String) -> (dns: String, dualStack: String) {
        if region.hasPrefix("cn-") { return ("amazonaws.com.cn", "api.amazonwebservices.com.cn") }
        if region.hasPrefix("eusc-") { return ("amazonaws.eu", "api.amazonwebservices.eu") }
        if region.hasPrefix("us-isob-") { return ("sc2s.sgov.gov", "api.aws.scloud") }
        if region.hasPrefix("us-isof-") { return ("csp.hci.ic.gov", "api.aws.hci.ic.gov") }
        if region.hasPrefix("us-iso-") { return ("c2s.ic.gov", "api.aws.ic.gov") }
        if region.hasPrefix("eu-isoe-") { return ("cloud.adc-e.uk", "api.cloud-aws.adc-e.uk") }
        return ("amazonaws.com", "api.aws")  // aws and aws-us-gov
    }
}

public struct EndpointError: Error, Sendable, CustomStringConvertible {
    public var value: String
    public var problem: String
    public var description: String { "invalid AWS endpoint setting '\(value)': \(problem)" }
}
