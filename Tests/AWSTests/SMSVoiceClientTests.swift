import AWS
import Foundation
import Logging
import Synchronization
import Testing

struct FixedCredentials: CredentialProvider {
    var value = Credentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
    func credentials() async throws -> Credentials { value }
}

/// Records the requests an in-memory transport sees and answers from a script.
final class ScriptedService: Sendable {
    let requests = Mutex<[HTTPRequest]>([])
    let answer: @Sendable (HTTPRequest, Int) -> HTTPResponse

    init(_ answer: @escaping @Sendable (HTTPRequest, Int) -> HTTPResponse) { self.answer = answer }

    var transport: InMemoryTransport {
        InMemoryTransport { request in
            let index = self.requests.withLock { $0.append(request); return $0.count - 1 }
            return self.answer(request, index)
        }
    }

    var seen: [HTTPRequest] { requests.withLock { $0 } }

    static func json(_ status: Int, _ body: String, headers: [String: String] = [:]) -> HTTPResponse {
        var all = ["x-amzn-requestid": "req-\(status)", "content-type": "application/x-amz-json-1.0"]
        for (k, v) in headers { all[k] = v }
        return HTTPResponse(status: status, headers: all, body: Array(body.utf8))
    }
}

func jsonObject(_ bytes: [UInt8]) -> [String: Any] {
    (try? JSONSerialization.jsonObject(with: Data(bytes))) as? [String: Any] ?? [:]
}

@Suite struct SMSVoiceClientTests {
    static let date = Date(timeIntervalSince1970: 1_764_763_200)  // 2025-12-03T12:00:00Z

    func client(_ service: ScriptedService, sink: MemorySink = MemorySink()) -> SMSVoiceClient {
        SMSVoiceClient(endpoint: URL(string: "https://sms-voice.eu-west-1.amazonaws.com")!, region: "eu-west-1",
                       credentials: FixedCredentials(), transport: service.transport,
                       logger: Logger(sink: sink, level: .trace), now: { Self.date })
    }

    @Test func putOptedOutNumberSendsASignedJSON10Request() async throws {
        let service = ScriptedService { _, _ in
            ScriptedService.json(200, #"{"OptOutListArn":"arn:aws:sms-voice:eu-west-1:111122223333:opt-out-list/ol-1","OptOutListName":"cards","OptedOutNumber":"+12065550100","OptedOutTimestamp":1764763200.25,"EndUserOptedOut":false}"#)
        }
        let result = try await client(service).putOptedOutNumber(listName: "cards", number: "+12065550100")
        #expect(result.optedOutNumber == "+12065550100")
        #expect(result.optOutListName == "cards")
        #expect(result.optedOutTimestamp == Date(timeIntervalSince1970: 1_764_763_200.25))
        #expect(result.endUserOptedOut == false)

        let request = try #require(service.seen.first)
        #expect(request.method == "POST")
        #expect(request.url.absoluteString == "https://sms-voice.eu-west-1.amazonaws.com/")
        #expect(request.header("Content-Type") == "application/x-amz-json-1.0")
        #expect(request.header("X-Amz-Target") == "PinpointSMSVoiceV2.PutOptedOutNumber")
        #expect(request.header("X-Amz-Date") == "20251203T120000Z")
        let authorization = try #require(request.header("Authorization"))
        #expect(authorization.hasPrefix("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20251203/eu-west-1/sms-voice/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature="))
        let body = jsonObject(request.body)
        #expect(body.count == 2)
        #expect(body["OptOutListName"] as? String == "cards")
        #expect(body["OptedOutNumber"] as? String == "+12065550100")
    }

    @Test func sessionTokenIsSentAndSigned() async throws {
        let service = ScriptedService { _, _ in ScriptedService.json(200, "{}") }
        var credentials = FixedCredentials()
        credentials.value.sessionToken = "token-1"
        let client = SMSVoiceClient(endpoint: URL(string: "http://127.0.0.1:4580")!, region: "us-east-1", credentials: credentials,
                                    transport: service.transport, logger: .disabled, now: { Self.date })
        _ = try await client.deleteOptedOutNumber(listName: "cards", number: "+12065550100")
        let request = try #require(service.seen.first)
        #expect(request.url.absoluteString == "http://127.0.0.1:4580/")
        #expect(request.header("Host") == "127.0.0.1:4580")
        #expect(request.header("X-Amz-Security-Token") == "token-1")
        #expect(request.header("X-Amz-Target") == "PinpointSMSVoiceV2.DeleteOptedOutNumber")
        #expect(request.header("Authorization")?.contains("SignedHeaders=content-type;host;x-amz-date;x-amz-security-token;x-amz-target,") == true)
    }

    @Test func validationErrorIsTypedAndMasksNumbers() async throws {
        let service = ScriptedService { _, _ in
            ScriptedService.json(400, #"{"__type":"com.amazonaws.pinpointsmsvoicev2#ValidationException","message":"Invalid phone number +12065550100","Reason":"INVALID_PARAMETER","Fields":[{"Name":"OptedOutNumber","Message":"+12065550100 does not match pattern"}]}"#)
        }
        let sink = MemorySink()
        let error = await #expect(throws: AWSServiceError.self) {
            _ = try await client(service, sink: sink).putOptedOutNumber(listName: "cards", number: "+12065550100")
        }
        let e = try #require(error)
        #expect(e.code == "ValidationException")
        #expect(e.reason == "INVALID_PARAMETER")
        #expect(e.fields == [AWSServiceError.Field(name: "OptedOutNumber", message: "+12065550100 does not match pattern")])
        #expect(e.httpStatus == 400)
        #expect(e.requestID == "req-400")
        #expect(e.operation == "PutOptedOutNumber")
        #expect(e.retryClass == .permanent)
        #expect(!e.description.contains("2065550100"))
        #expect(e.description.contains("+1206***0100"))
        #expect(e.description.contains("ValidationException"))
        #expect(e.description.contains("req-400"))
        let logged = sink.all.map { "\($0.message) \($0.metadata)" }.joined()
        #expect(logged.contains("ValidationException"))
        #expect(!logged.contains("2065550100"))
    }

    @Test(arguments: [
        // (status, header type, body, code, class)
        (400, nil, #"{"__type":"ThrottlingException","message":"Rate exceeded"}"#, "ThrottlingException", RetryClass.throttling),
        (400, "ThrottlingException:http://internal.amazon.com/coral/com.amazon.coral.availability/", "", "ThrottlingException", .throttling),
        (429, nil, "", "HTTP429", .throttling),
        (500, nil, #"{"__type":"com.amazonaws.pinpointsmsvoicev2#InternalServerException","Message":"oops","RequestId":"abc"}"#, "InternalServerException", .transient),
        (503, nil, "<html>Service Unavailable</html>", "HTTP503", .transient),
        (502, nil, "", "HTTP502", .transient),
        (504, nil, "", "HTTP504", .transient),
        (400, nil, #"{"__type":"aws.protocols#AccessDeniedException:http://x/y","Message":"no","Reason":"ACCOUNT_DISABLED"}"#, "AccessDeniedException", .permanent),
        (400, nil, #"{"__type":"ConflictException","Message":"deleted in the last 30 days","Reason":"RESOURCE_MODIFICATION_NOT_ALLOWED","ResourceType":"opted-out-number","ResourceId":"+447700900123"}"#, "ConflictException", .permanent),
    ] as [(Int, String?, String, String, RetryClass)])
    func errorsDecodeAndClassify(_ status: Int, _ headerType: String?, _ body: String, _ code: String, _ retryClass: RetryClass) async throws {
        let service = ScriptedService { _, _ in
            ScriptedService.json(status, body, headers: headerType.map { ["X-Amzn-Errortype": $0] } ?? [:])
        }
        let error = await #expect(throws: AWSServiceError.self) {
            _ = try await client(service).deleteOptedOutNumber(listName: "cards", number: "+447700900123")
        }
        #expect(error?.code == code)
        #expect(error?.retryClass == retryClass)
        #expect(error?.httpStatus == status)
        #expect(error?.description.contains("7700900123") == false)
    }

    @Test func resourceNotFoundCarriesTypeAndID() {
        let response = ScriptedService.json(400, #"{"__type":"ResourceNotFoundException","Message":"not found","ResourceType":"opt-out-list","ResourceId":"cards"}"#)
        let error = AWSJSONProtocol.decodeError(response, operation: "DescribeOptedOutNumbers")
        #expect(error.code == "ResourceNotFoundException")
        #expect(error.resourceType == "opt-out-list")
        #expect(error.resourceID == "cards")
        #expect(error.description == "DescribeOptedOutNumbers failed: ResourceNotFoundException (HTTP 400, request id req-400): not found [opt-out-list cards]")
    }

    @Test func errorTypeNamespaceAndSuffixAreStripped() {
        #expect(AWSJSONProtocol.errorCode(fromType: "com.amazonaws.pinpointsmsvoicev2#ValidationException") == "ValidationException")
        #expect(AWSJSONProtocol.errorCode(fromType: "ValidationException:http://internal.amazon.com/coral/") == "ValidationException")
        #expect(AWSJSONProtocol.errorCode(fromType: "aws.protocols#X:http://a#b") == "X")
        #expect(AWSJSONProtocol.errorCode(fromType: "Plain") == "Plain")
    }

    @Test func phoneNumbersInTextAreMasked() {
        #expect(AWSServiceError.maskingPhoneNumbers("number +12065550100 is invalid") == "number +1206***0100 is invalid")
        #expect(AWSServiceError.maskingPhoneNumbers("(206) 555-0100, then") == "(" + PhoneMask.mask("206) 555-0100") + ", then")
        #expect(AWSServiceError.maskingPhoneNumbers("list ol-12 page 3") == "list ol-12 page 3")
    }

    @Test func unreadableSuccessIsAResponseError() async throws {
        let service = ScriptedService { _, _ in ScriptedService.json(200, #"{"OptedOutTimestamp":"yesterday"}"#) }
        let error = await #expect(throws: AWSResponseError.self) {
            _ = try await client(service).putOptedOutNumber(listName: "cards", number: "+12065550100")
        }
        #expect(error?.requestID == "req-200")
        #expect(error?.retryClass == .permanent)
    }

    @Test func optedOutNumbersFollowsNextToken() async throws {
        let service = ScriptedService { request, index in
            let token = jsonObject(request.body)["NextToken"] as? String
            let next = index < 2 ? #","NextToken":"t\#(index + 1)""# : ""
            #expect(token == (index == 0 ? nil : "t\(index)"))
            return ScriptedService.json(200, #"{"OptOutListName":"cards","OptedOutNumbers":[{"OptedOutNumber":"+1206555010\#(index)","OptedOutTimestamp":1700000000,"EndUserOptedOut":true}]\#(next)}"#)
        }
        var numbers: [String] = []
        for try await page in client(service).optedOutNumbers(list: "cards", endUserOptedOutOnly: true) {
            numbers += page.optedOutNumbers.map(\.optedOutNumber)
        }
        #expect(numbers == ["+12065550100", "+12065550101", "+12065550102"])
        let first = jsonObject(try #require(service.seen.first).body)
        #expect(first["MaxResults"] as? Int == 100)
        #expect(first["OptOutListName"] as? String == "cards")
        let filters = first["Filters"] as? [[String: Any]]
        #expect(filters?.first?["Name"] as? String == "end-user-opted-out")
        #expect(filters?.first?["Values"] as? [String] == ["true"])
    }

    @Test func aRepeatedNextTokenStopsThePaginator() async throws {
        let service = ScriptedService { _, _ in ScriptedService.json(200, #"{"OptOutLists":[],"NextToken":"same"}"#) }
        var pages = 0
        await #expect(throws: PaginationError.self) {
            for try await _ in client(service).optOutLists() { pages += 1 }
        }
        #expect(pages == 1)
        #expect(service.seen.count == 2)
    }

    @Test func describeOptOutListsCreateUpdateAndDescribePools() async throws {
        let service = ScriptedService { request, _ in
            switch request.header("X-Amz-Target") {
            case "PinpointSMSVoiceV2.DescribeOptOutLists":
                return ScriptedService.json(200, #"{"OptOutLists":[{"OptOutListArn":"arn:1","OptOutListName":"cards","CreatedTimestamp":1600000000}]}"#)
            case "PinpointSMSVoiceV2.CreateOptOutList":
                return ScriptedService.json(200, #"{"OptOutListArn":"arn:2","OptOutListName":"loans","Tags":[{"Key":"bu","Value":"loans"}],"CreatedTimestamp":1700000000.5}"#)
            case "PinpointSMSVoiceV2.UpdatePool":
                return ScriptedService.json(200, #"{"PoolArn":"arn:p","PoolId":"pool-1","Status":"ACTIVE","MessageType":"TRANSACTIONAL","TwoWayEnabled":false,"SelfManagedOptOutsEnabled":false,"OptOutListName":"loans","SharedRoutesEnabled":false,"DeletionProtectionEnabled":true,"CreatedTimestamp":1500000000}"#)
            default:
                return ScriptedService.json(200, #"{"Pools":[{"PoolId":"pool-1","OptOutListName":"loans","SelfManagedOptOutsEnabled":true}]}"#)
            }
        }
        let client = client(service)
        let lists = try await client.describeOptOutLists(DescribeOptOutListsInput(optOutListNames: ["cards"]))
        #expect(lists.optOutLists == [OptOutListInformation(optOutListArn: "arn:1", optOutListName: "cards", createdTimestamp: Date(timeIntervalSince1970: 1_600_000_000))])
        let created = try await client.createOptOutList(CreateOptOutListInput(optOutListName: "loans", tags: [Tag(key: "bu", value: "loans")], clientToken: "ct-1"))
        #expect(created.optOutListArn == "arn:2")
        #expect(created.tags == [Tag(key: "bu", value: "loans")])
        let pool = try await client.updatePool(UpdatePoolInput(poolId: "pool-1", selfManagedOptOutsEnabled: false, optOutListName: "loans"))
        #expect(pool.optOutListName == "loans")
        #expect(pool.deletionProtectionEnabled)
        #expect(pool.status == "ACTIVE")
        let pools = try await client.describePools(DescribePoolsInput(filters: [DescribeFilter(name: "opt-out-list-name", values: ["loans"])]))
        #expect(pools.pools.first?.selfManagedOptOutsEnabled == true)

        let bodies = service.seen.map { jsonObject($0.body) }
        #expect(bodies[0]["OptOutListNames"] as? [String] == ["cards"])
        #expect(bodies[1]["ClientToken"] as? String == "ct-1")
        #expect(bodies[2].keys.sorted() == ["OptOutListName", "PoolId", "SelfManagedOptOutsEnabled"])
        #expect((bodies[3]["Filters"] as? [[String: Any]])?.first?["Name"] as? String == "opt-out-list-name")
    }
}
