/// What a backfill or dispatcher does with the final answer to one write to AWS (after the
/// client's retries). Pure: the caller passes the AWS error code (`__type` without namespace).
public enum PutOutcome: Sendable, Equatable {
    /// AWS holds the number: it leaves the outbox and `sync_state` records it.
    case confirmed
    /// AWS refused this number for good (e.g. `ValidationException`): recorded as `failed_to_aws`
    /// with the code and reason; the run goes on.
    case failedPermanently
    /// The BU cannot go on (its list does not exist, or access is denied): stop the BU, keep its
    /// outbox, tell the operator what to fix.
    case stopBusinessUnit(StopReason)
    /// Transient trouble that outlived the retries: the item stays in the outbox for later.
    case retryLater

    public enum StopReason: String, Sendable, Equatable {
        case listNotFound = "list_not_found"
        case accessDenied = "access_denied"
        case quotaExceeded = "quota_exceeded"
    }

    /// AWS error codes that refuse the caller rather than the request: missing permission, an
    /// unknown or expired key, a signature that does not match. `check` maps them to exit 77 too.
    public static let accessRefusedCodes: Set<String> = [
        "AccessDeniedException", "AccessDenied", "UnrecognizedClientException", "InvalidClientTokenId",
        "ExpiredTokenException", "SignatureDoesNotMatch", "InvalidSignatureException", "IncompleteSignatureException",
    ]

    public static func classify(errorCode: String?) -> PutOutcome {
        guard let code = errorCode else { return .confirmed }
        if accessRefusedCodes.contains(code) { return .stopBusinessUnit(.accessDenied) }
        switch code {
        case "ResourceNotFoundException": return .stopBusinessUnit(.listNotFound)
        case "ServiceQuotaExceededException": return .stopBusinessUnit(.quotaExceeded)
        case "ValidationException", "ConflictException": return .failedPermanently
        default: return .retryLater
        }
    }
}
