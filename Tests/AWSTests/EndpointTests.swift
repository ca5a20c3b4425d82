import AWS
import Foundation
import Testing

/// Hostnames from the service's endpoint rule set (botocore endpoint-rule-set-1.json):
/// `sms-voice[-fips].{Region}.{dnsSuffix}` or `{dualStackDnsSuffix}` of the region's partition.
@Suite struct EndpointTests {
    @Test(arguments: [
        ("us-east-1", false, false, "https://sms-voice.us-east-1.amazonaws.com"),
        ("us-east-1", true, false, "https://sms-voice-fips.us-east-1.amazonaws.com"),
        ("eu-west-1", false, true, "https://sms-voice.eu-west-1.api.aws"),
        ("us-west-2", true, true, "https://sms-voice-fips.us-west-2.api.aws"),
        ("us-gov-west-1", true, false, "https://sms-voice-fips.us-gov-west-1.amazonaws.com"),
        ("cn-north-1", false, false, "https://sms-voice.cn-north-1.amazonaws.com.cn"),
        ("cn-north-1", false, true, "https://sms-voice.cn-north-1.api.amazonwebservices.com.cn"),
    ])
    func regionalEndpoints(_ region: String, _ fips: Bool, _ dualStack: Bool, _ expected: String) {
        #expect(SMSVoiceEndpoint(region: region, useFIPS: fips, useDualStack: dualStack).url.absoluteString == expected)
    }

    @Test func configuredOverrideWinsOverEnvironment() throws {
        let endpoint = try SMSVoiceEndpoint.resolve(region: "us-east-1", configured: "http://127.0.0.1:4580",
                                                    environment: ["AWS_ENDPOINT_URL": "http://other:1", "AWS_USE_FIPS_ENDPOINT": "true"])
        #expect(endpoint.url.absoluteString == "http://127.0.0.1:4580")
    }

    @Test func environmentOverridesServiceSpecificFirst() throws {
        let generic = try SMSVoiceEndpoint.resolve(region: "us-east-1", configured: nil, environment: ["AWS_ENDPOINT_URL": "http://localhost:4566"])
        #expect(generic.url.absoluteString == "http://localhost:4566")
        let specific = try SMSVoiceEndpoint.resolve(region: "us-east-1", configured: nil, environment: [
            "AWS_ENDPOINT_URL": "http://localhost:4566", "AWS_ENDPOINT_URL_PINPOINT_SMS_VOICE_V2": "http://localhost:4580",
        ])
        #expect(specific.url.absoluteString == "http://localhost:4580")
    }

    @Test func fipsAndDualStackFromEnvironment() throws {
        let endpoint = try SMSVoiceEndpoint.resolve(region: "us-east-2", configured: nil,
                                                    environment: ["AWS_USE_FIPS_ENDPOINT": "TRUE", "AWS_USE_DUALSTACK_ENDPOINT": "true"])
        #expect(endpoint.url.absoluteString == "https://sms-voice-fips.us-east-2.api.aws")
    }

    @Test func badSettingsAreRejected() {
        #expect(throws: EndpointError.self) { try SMSVoiceEndpoint.resolve(region: "us-east-1", configured: "ftp://x", environment: [:]) }
        #expect(throws: EndpointError.self) { try SMSVoiceEndpoint.resolve(region: "us-east-1", configured: "not a url", environment: [:]) }
        #expect(throws: EndpointError.self) { try SMSVoiceEndpoint.resolve(region: "us east", configured: nil, environment: [:]) }
        #expect(throws: EndpointError.self) { try SMSVoiceEndpoint.resolve(region: "us-east-1", configured: nil, environment: ["AWS_USE_FIPS_ENDPOINT": "yes"]) }
    }
}
