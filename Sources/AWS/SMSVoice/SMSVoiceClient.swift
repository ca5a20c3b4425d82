import Foundation
import Logging

/// Typed operations of AWS End User Messaging SMS and Voice v2 over JSON 1.0 and SigV4.
///
/// Every operation makes one signed attempt through `send(operation:body:)`; failures are
/// `AWSServiceError` (an answer), `TransportError` (no answer) or `AWSResponseError`
/// (an unreadable 2xx), all `RetryClassifiable`. Retries and rate limits wrap these calls.
public struct SMSVoiceClient: Sendable {
    public static let signingName = "sms-voice"
    public static let targetPrefix = "PinpointSMSVoiceV2"

    public let endpoint: URL
    public let region: String
    public let credentials: any CredentialProvider
    public let transport: any HTTPTransport
    public let logger: Logger
    /// Bound on one attempt (connect, send, wait, receive).
    public let timeout: Duration
    private let signer: SigV4Signer
    private let now: @Sendable () -> Date

    /// - Parameter now: the wall clock used for signing (tests pass a fixed date).
    public init(endpoint: URL, region: String, credentials: any CredentialProvider, transport: any HTTPTransport,
                logger: Logger, timeout: Duration = .seconds(10), now: @escaping @Sendable () -> Date = { Date() }) {
        self.endpoint = endpoint
        self.region = region
        self.credentials = credentials
        self.transport = transport
        self.logger = logger
        self.timeout = timeout
        self.signer = SigV4Signer(region: region, service: Self.signingName)
        self.now = now
    }

    // MARK: - Operations

    public func putOptedOutNumber(listName: String, number: String) async throws -> OptedOutNumberResult {
        try await invoke("PutOptedOutNumber", PutOptedOutNumberInput(optOutListName: listName, optedOutNumber: number))
    }

    /// AWS allows deleting a number from a list only once every 30 days (`ConflictException` otherwise).
    public func deleteOptedOutNumber(listName: String, number: String) async throws -> OptedOutNumberResult {
        try await invoke("DeleteOptedOutNumber", DeleteOptedOutNumberInput(optOutListName: listName, optedOutNumber: number))
    }

    /// One page.
    public func describeOptedOutNumbers(_ input: DescribeOptedOutNumbersInput) async throws -> DescribeOptedOutNumbersOutput {
        try await invoke("DescribeOptedOutNumbers", input)
    }

    /// Every page of a list, following `NextToken` (100 numbers per page by default).
    public func optedOutNumbers(list listName: String, endUserOptedOutOnly: Bool = false, pageSize: Int = 100) -> AWSPages<DescribeOptedOutNumbersOutput> {
        AWSPages { token in
            let page = try await describeOptedOutNumbers(DescribeOptedOutNumbersInput(
                optOutListName: listName, filters: endUserOptedOutOnly ? [.endUserOptedOut] : nil,
                nextToken: token, maxResults: pageSize))
            return (page, page.nextToken)
        }
    }

    public func describeOptOutLists(_ input: DescribeOptOutListsInput = DescribeOptOutListsInput()) async throws -> DescribeOptOutListsOutput {
        try await invoke("DescribeOptOutLists", input)
    }

    /// Every opt-out list of the account (or of `owner`), following `NextToken`.
    public func optOutLists(owner: ResourceOwner? = nil, pageSize: Int? = nil) -> AWSPages<DescribeOptOutListsOutput> {
        AWSPages { token in
            let page = try await describeOptOutLists(DescribeOptOutListsInput(nextToken: token, maxResults: pageSize, owner: owner))
            return (page, page.nextToken)
        }
    }

    public func createOptOutList(_ input: CreateOptOutListInput) async throws -> CreateOptOutListOutput {
        try await invoke("CreateOptOutList", input)
    }

    public func updatePool(_ input: UpdatePoolInput) async throws -> PoolInformation {
        try await invoke("UpdatePool", input)
    }

    public func describePools(_ input: DescribePoolsInput = DescribePoolsInput()) async throws -> DescribePoolsOutput {
        try await invoke("DescribePools", input)
    }

    /// Every pool matching `filters`, following `NextToken`.
    public func pools(filters: [DescribeFilter]? = nil, pageSize: Int? = nil) -> AWSPages<DescribePoolsOutput> {
        AWSPages { token in
            let page = try await describePools(DescribePoolsInput(filters: filters, nextToken: token, maxResults: pageSize))
            return (page, page.nextToken)
        }
    }

    // MARK: - The protocol core

    /// Encodes the input, sends one attempt, decodes the output.
    public func invoke<Input: Encodable, Output: Decodable>(_ operation: String, _ input: Input) async throws -> Output {
        let response = try await send(operation: operation, body: try AWSJSONProtocol.encode(input))
        do {
            return try AWSJSONProtocol.decode(Output.self, from: response.body)
        } catch {
            throw AWSResponseError(operation: operation, httpStatus: response.status,
                                   requestID: AWSJSONProtocol.requestID(of: response), detail: "\(error)")
        }
    }

    /// One signed attempt of an operation. Returns the 2xx response; throws `AWSServiceError` for any other status.
    public func send(operation: String, body: [UInt8]) async throws -> HTTPResponse {
        var request = AWSJSONProtocol.request(endpoint: endpoint, targetPrefix: Self.targetPrefix, operation: operation, body: body)
        signer.sign(&request, credentials: try await credentials.credentials(), date: now())
        let response = try await transport.send(request, timeout: timeout)
        let requestID = AWSJSONProtocol.requestID(of: response) ?? "none"
        guard (200..<300).contains(response.status) else {
            let error = AWSJSONProtocol.decodeError(response, operation: operation)
            logger.debug("AWS request failed", [
                "aws.operation": operation, "aws.request_id": requestID, "aws.error": error.code, "http.status": "\(response.status)",
            ])
            throw error
        }
        logger.trace("AWS request done", ["aws.operation": operation, "aws.request_id": requestID, "http.status": "\(response.status)"])
        return response
    }
}
