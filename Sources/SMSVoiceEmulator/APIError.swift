import JSON

/// An error the emulator answers with, in AWS JSON 1.0 form: `__type` in the body and in
/// `X-Amzn-Errortype`, the modeled members (`Message`, `Reason`, `Fields`, `ResourceType`, ...) beside it.
public struct APIError: Error, Sendable, Equatable, CustomStringConvertible {
    public var type: String
    public var status: Int
    public var message: String
    public var members: [String: JSONValue]

    public init(_ type: String, status: Int = 400, _ message: String, members: [String: JSONValue] = [:]) {
        self.type = type
        self.status = status
        self.message = message
        self.members = members
    }

    public var description: String { "\(type) (HTTP \(status)): \(message)" }

    /// The response body.
    public var body: JSONValue {
        var object = members
        object["__type"] = .string("com.amazonaws.pinpointsmsvoicev2#\(type)")
        object["Message"] = .string(message)
        return .object(object)
    }

    // The service's modeled errors.

    public static func validation(_ reason: String, _ message: String, fields: [(name: String, message: String)] = []) -> APIError {
        var members: [String: JSONValue] = ["Reason": .string(reason)]
        if !fields.isEmpty {
            members["Fields"] = .array(fields.map { ["Name": .string($0.name), "Message": .string($0.message)] })
        }
        return APIError("ValidationException", message, members: members)
    }

    public static func notFound(_ resourceType: String, _ resourceId: String) -> APIError {
        APIError("ResourceNotFoundException", "The \(resourceType) was not found.",
                 members: ["ResourceType": .string(resourceType), "ResourceId": .string(resourceId)])
    }

    public static func conflict(_ reason: String, _ resourceType: String, _ resourceId: String, _ message: String) -> APIError {
        APIError("ConflictException", message,
                 members: ["Reason": .string(reason), "ResourceType": .string(resourceType), "ResourceId": .string(resourceId)])
    }

    public static func throttling(_ operation: String) -> APIError {
        APIError("ThrottlingException", "Rate exceeded for \(operation).")
    }

    public static func accessDenied(_ reason: String) -> APIError {
        APIError("AccessDeniedException", "Access denied: the account is disabled.", members: ["Reason": .string(reason)])
    }

    public static func internalError(requestID: String) -> APIError {
        APIError("InternalServerException", status: 500, "An internal error occurred (injected fault).",
                 members: ["RequestId": .string(requestID)])
    }

    public static func serviceQuota(_ reason: String, _ message: String) -> APIError {
        APIError("ServiceQuotaExceededException", message, members: ["Reason": .string(reason)])
    }

    // Protocol-level errors that every AWS JSON service answers.

    public static func unknownOperation(_ target: String) -> APIError {
        APIError("UnknownOperationException", "Unknown operation \(target.isEmpty ? "(no X-Amz-Target)" : target).")
    }

    public static func serialization(_ message: String) -> APIError {
        APIError("SerializationException", message)
    }
}
