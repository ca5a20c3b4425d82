import Foundation
import Logging

/// An error answer from an AWS JSON 1.0 service, decoded from the body (`__type`, `message`/`Message`,
/// `Reason`, `Fields`, `ResourceType`, `ResourceId`) and the headers (`X-Amzn-Errortype`, `x-amzn-requestid`).
/// `description` masks anything that looks like a phone number (services echo the number in messages).
public struct AWSServiceError: Error, Sendable, Equatable, CustomStringConvertible, RetryClassifiable {
    public struct Field: Sendable, Equatable, Codable {
        public var name: String
        public var message: String
        public init(name: String, message: String) {
            self.name = name
            self.message = message
        }
        enum CodingKeys: String, CodingKey {
            case name = "Name", message = "Message"
        }
    }

    /// The error shape without namespace, e.g. `ValidationException`; `HTTP<status>` when the answer had no type.
    public var code: String
    public var message: String?
    /// `ValidationException`, `ConflictException`, `AccessDeniedException`, `ServiceQuotaExceededException` reasons.
    public var reason: String?
    public var fields: [Field]
    public var resourceType: String?
    public var resourceID: String?
    public var httpStatus: Int
    public var requestID: String?
    public var operation: String

    public init(code: String, message: String? = nil, reason: String? = nil, fields: [Field] = [],
                resourceType: String? = nil, resourceID: String? = nil, httpStatus: Int, requestID: String? = nil, operation: String) {
        self.code = code
        self.message = message
        self.reason = reason
        self.fields = fields
        self.resourceType = resourceType
        self.resourceID = resourceID
        self.httpStatus = httpStatus
        self.requestID = requestID
        self.operation = operation
    }

    /// Error codes AWS SDKs treat as throttling.
    public static let throttlingCodes: Set<String> = [
        "ThrottlingException", "Throttling", "ThrottledException", "TooManyRequestsException",
        "RequestThrottled", "RequestThrottledException", "RequestLimitExceeded", "SlowDown",
        "ProvisionedThroughputExceededException", "BandwidthLimitExceeded", "LimitExceededException",
        "EC2ThrottledException", "PriorRequestNotComplete", "TransactionInProgressException",
    ]

    /// Error codes AWS SDKs treat as transient, whatever the status.
    public static let transientCodes: Set<String> = [
        "InternalServerException", "InternalFailure", "InternalError", "ServiceUnavailable",
        "ServiceUnavailableException", "RequestTimeout", "RequestTimeoutException",
    ]

    public var retryClass: RetryClass {
        if Self.throttlingCodes.contains(code) || httpStatus == 429 { return .throttling }
        if Self.transientCodes.contains(code) || [500, 502, 503, 504].contains(httpStatus) { return .transient }
        return .permanent
    }

    public var description: String {
        var text = "\(operation) failed: \(code) (HTTP \(httpStatus)"
        if let requestID { text += ", request id \(requestID)" }
        text += ")"
        if let reason { text += " reason \(reason)" }
        if let message { text += ": " + Self.maskingPhoneNumbers(message) }
        if let resourceType { text += " [\(resourceType)" + (resourceID.map { " " + Self.maskingPhoneNumbers($0) } ?? "") + "]" }
        for field in fields { text += " {\(field.name): \(Self.maskingPhoneNumbers(field.message))}" }
        return text
    }

    /// Replaces every run that looks like a phone number (an optional `+` and 7 or more digits,
    /// possibly split by spaces, dashes, dots or parentheses) with its `PhoneMask.mask`.
    public static func maskingPhoneNumbers(_ text: String) -> String {
        var out = ""
        var run = ""
        var digits = 0
        func flush() {
            if digits >= 7 {
                // Keep the separators that trail the number outside the mask.
                let trimmed = run.reversed().drop(while: { !$0.isNumber })
                let tail = String(run.suffix(run.count - trimmed.count))
                out += PhoneMask.mask(String(trimmed.reversed())) + tail
            } else {
                out += run
            }
            run = ""
            digits = 0
        }
        for character in text {
            let isDigit = character.isASCII && character.isNumber
            if isDigit || (character == "+" && run.isEmpty) {
                run.append(character)
                if isDigit { digits += 1 }
            } else if !run.isEmpty, " -.()".contains(character) {
                run.append(character)
            } else {
                flush()
                out.append(character)
            }
        }
        flush()
        return out
    }
}

/// A 2xx answer whose body is not what the operation promises.
public struct AWSResponseError: Error, Sendable, CustomStringConvertible, RetryClassifiable {
    public var operation: String
    public var httpStatus: Int
    public var requestID: String?
    public var detail: String

    public init(operation: String, httpStatus: Int, requestID: String?, detail: String) {
        self.operation = operation
        self.httpStatus = httpStatus
        self.requestID = requestID
        self.detail = detail
    }

    public var retryClass: RetryClass { .permanent }

    public var description: String {
        "\(operation): unreadable response (HTTP \(httpStatus)\(requestID.map { ", request id \($0)" } ?? "")): \(detail)"
    }
}
