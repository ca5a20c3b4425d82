/// An error answered by STS (`ErrorResponse/Error{Type, Code, Message}` and `RequestId`).
/// The message is AWS's text (it names ARNs, never secrets).
public struct STSError: Error, Sendable, Equatable, CustomStringConvertible {
    /// E.g. `AccessDenied`, `ExpiredTokenException`, `InvalidIdentityToken`, `Throttling`.
    public var code: String
    public var message: String
    /// `Sender` or `Receiver`.
    public var type: String?
    public var requestID: String?
    public var status: Int

    public init(code: String, message: String, type: String? = nil, requestID: String? = nil, status: Int) {
        self.code = code
        self.message = message
        self.type = type
        self.requestID = requestID
        self.status = status
    }

    /// The caller is not allowed to assume the role (or to call STS at all): exit code 77 material.
    public var isAccessDenied: Bool {
        code == "AccessDenied" || code == "AccessDeniedException" || code == "AuthorizationError"
    }

    public var description: String {
        var text = "STS \(code) (HTTP \(status)): \(message)"
        if let requestID { text += " request-id \(requestID)" }
        return text
    }
}

extension STSError: RetryClassifiable {
    public var retryClass: RetryClass {
        switch code {
        case "Throttling", "ThrottlingException", "RequestLimitExceeded": .throttling
        case "IDPCommunicationError", "InternalFailure", "ServiceUnavailable": .transient
        default: status >= 500 ? .transient : .permanent
        }
    }
}
