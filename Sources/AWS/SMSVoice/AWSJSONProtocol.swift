import Foundation

/// The AWS JSON 1.0 protocol: `POST /`, `X-Amz-Target: <prefix>.<Operation>`, a JSON object body,
/// timestamps as epoch seconds, errors typed by `__type` or `X-Amzn-Errortype`. Pure.
public enum AWSJSONProtocol {
    public static let contentType = "application/x-amz-json-1.0"

    /// The unsigned request for one operation.
    public static func request(endpoint: URL, targetPrefix: String, operation: String, body: [UInt8]) -> HTTPRequest {
        // JSON 1.0 posts to "/": an endpoint given without a path gets one.
        let url = endpoint.path.isEmpty ? URL(string: endpoint.absoluteString + "/") ?? endpoint : endpoint
        return HTTPRequest(method: "POST", url: url, headers: [
            ("Content-Type", contentType),
            ("X-Amz-Target", "\(targetPrefix).\(operation)"),
        ], body: body)
    }

    public static func encode<T: Encodable>(_ value: T) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .secondsSince1970
        encoder.outputFormatting = [.sortedKeys]
        return Array(try encoder.encode(value))
    }

    public static func decode<T: Decodable>(_ type: T.Type, from body: [UInt8]) throws -> T {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .secondsSince1970
        return try decoder.decode(type, from: Data(body.isEmpty ? Array("{}".utf8) : body))
    }

    /// `aws.protocols#ValidationException:http://internal/...` → `ValidationException`:
    /// cut at the first `:`, keep what follows the last `#`.
    public static func errorCode(fromType type: String) -> String {
        let beforeColon = type.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        let afterHash = beforeColon.split(separator: "#", omittingEmptySubsequences: false).last ?? ""
        return afterHash.trimmingCharacters(in: .whitespaces)
    }

    /// The request id AWS returns with every answer.
    public static func requestID(of response: HTTPResponse) -> String? {
        response.header("x-amzn-requestid") ?? response.header("x-amz-request-id")
    }

    /// The typed error in a non-2xx answer. Never fails: an unreadable body yields `HTTP<status>`.
    public static func decodeError(_ response: HTTPResponse, operation: String) -> AWSServiceError {
        let body = (try? JSONDecoder().decode(ErrorBody.self, from: Data(response.body))) ?? ErrorBody()
        let type = response.header("x-amzn-errortype") ?? body.type ?? body.code
        let code = type.map(errorCode(fromType:)).flatMap { $0.isEmpty ? nil : $0 } ?? "HTTP\(response.status)"
        return AWSServiceError(
            code: code,
            message: body.message ?? body.Message,
            reason: body.Reason,
            fields: body.Fields ?? [],
            resourceType: body.ResourceType,
            resourceID: body.ResourceId,
            httpStatus: response.status,
            requestID: requestID(of: response) ?? body.RequestId,
            operation: operation)
    }

    /// The members of an error body this client reads; everything optional and tolerant.
    struct ErrorBody: Decodable {
        var type: String?
        var code: String?
        var message: String?
        var Message: String?
        var Reason: String?
        var Fields: [AWSServiceError.Field]?
        var ResourceType: String?
        var ResourceId: String?
        var RequestId: String?

        enum CodingKeys: String, CodingKey {
            case type = "__type", code, message, Message, Reason, Fields, ResourceType, ResourceId, RequestId
        }

        init() {}

        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            type = try? c.decodeIfPresent(String.self, forKey: .type)
            code = try? c.decodeIfPresent(String.self, forKey: .code)
            message = try? c.decodeIfPresent(String.self, forKey: .message)
            Message = try? c.decodeIfPresent(String.self, forKey: .Message)
            Reason = try? c.decodeIfPresent(String.self, forKey: .Reason)
            Fields = try? c.decodeIfPresent([AWSServiceError.Field].self, forKey: .Fields)
            ResourceType = try? c.decodeIfPresent(String.self, forKey: .ResourceType)
            ResourceId = try? c.decodeIfPresent(String.self, forKey: .ResourceId)
            RequestId = try? c.decodeIfPresent(String.self, forKey: .RequestId)
        }
    }
}
