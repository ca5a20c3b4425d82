import Foundation
import HTTPServer
import JSON
@testable import SMSVoiceEmulator
import TestSupport
import Testing

/// An emulator on a `ManualClock`, driven in-process through its HTTP handler (no sockets, no real time).
struct Harness {
    let clock = ManualClock()
    let emulator: Emulator
    static let start = Date(timeIntervalSince1970: 1_796_000_000)

    init(configure: (inout EmulatorOptions) -> Void = { _ in }) throws {
        var options = EmulatorOptions()
        options.clock = EmulatorClock(clock: clock, start: Self.start)
        configure(&options)
        emulator = try Emulator(options: options)
    }

    func request(_ operation: String, _ body: JSONValue, credential: EmulatorCredential = .awsTestSuite,
                 signedAt: Date? = nil, tamper: Bool = false, region: String = "us-east-1", remote: String = "127.0.0.1") -> HTTPServerResponse {
        let bytes = body.serialized()
        let headers = SigV4Verifier.sign(method: "POST", path: "/",
                                         headers: [("host", "127.0.0.1:4566"), ("content-type", "application/x-amz-json-1.0"),
                                                   ("x-amz-target", "PinpointSMSVoiceV2.\(operation)")],
                                         body: bytes, credential: credential, region: region,
                                         date: signedAt ?? emulator.clock.requestTime())
        return emulator.handle(HTTPServerRequest(method: "POST", target: "/", headers: headers,
                                                 body: tamper ? bytes + Array(" ".utf8) : bytes, remoteAddress: remote))
    }

    func control(_ method: String, _ path: String, _ body: JSONValue? = nil, remote: String = "127.0.0.1") -> (Int, JSONValue) {
        let response = emulator.handle(HTTPServerRequest(method: method, target: path, headers: [],
                                                         body: body?.serialized() ?? [], remoteAddress: remote))
        return (response.status, JSONValue.parse(response.body) ?? .null)
    }

    static func errorType(_ response: HTTPServerResponse) -> String? {
        JSONValue.parse(response.body)?["__type"]?.stringValue.map { String($0.split(separator: "#").last ?? "") }
    }
}

@Suite struct EmulatorQuotaTests {
    @Test func sustainedRateUnderABurstIsTheConfiguredRate() throws {
        let harness = try Harness { $0.quotas = ["PutOptedOutNumber": 20] }
        // 200 requests per simulated second for 60 s: far beyond the quota of 20/s.
        var accepted = 0, throttled = 0
        for step in 0..<12_000 {
            let response = harness.request("PutOptedOutNumber", ["OptOutListName": "Default", "OptedOutNumber": .string("+1206555\(String(format: "%04d", step % 10_000))")])
            if response.status == 200 { accepted += 1 }
            else if Harness.errorType(response) == "ThrottlingException" { throttled += 1 }
            harness.clock.advance(by: .milliseconds(5))
        }
        let rate = Double(accepted) / 60
        #expect(abs(rate - 20) / 20 < 0.05, "measured \(rate)/s against a quota of 20/s")
        #expect(accepted + throttled == 12_000)
        let stats = harness.emulator.statistics
        #expect(stats.throttled == throttled)
        #expect(stats.throttledByOperation["PutOptedOutNumber"] == throttled)
        // Other operations have no quota.
        #expect(harness.request("DescribeOptOutLists", [:]).status == 200)
    }

    @Test func quotasChangeAtRuntimeThroughTheControlSurface() throws {
        let harness = try Harness()
        let (status, config) = harness.control("POST", "/_emulator/config", ["quotas": ["DescribeOptOutLists": 2]])
        #expect(status == 200)
        #expect(config["quotas"]?["DescribeOptOutLists"] == .number(2))
        let statuses = (0..<4).map { _ in harness.request("DescribeOptOutLists", [:]).status }
        #expect(statuses == [200, 200, 400, 400])
        harness.clock.advance(by: .milliseconds(500))
        #expect(harness.request("DescribeOptOutLists", [:]).status == 200)
        #expect(harness.control("POST", "/_emulator/config", ["quotas": ["NoSuchOperation": 1]]).0 == 400)
    }
}

@Suite struct EmulatorFaultTests {
    static func outcomes(seed: UInt64) throws -> [String] {
        let harness = try Harness {
            $0.seed = seed
            $0.faultRate = 0.3
        }
        _ = harness.emulator.configure(["faultKinds": ["error", "drop"]])
        return (0..<300).map { _ in
            let response = harness.request("DescribeOptOutLists", [:])
            if response.dropConnection { return "drop" }
            return response.status == 200 ? "ok" : (Harness.errorType(response) ?? "?")
        }
    }

    @Test func faultSequenceRepeatsForASeed() throws {
        let first = try Self.outcomes(seed: 42)
        let again = try Self.outcomes(seed: 42)
        let other = try Self.outcomes(seed: 43)
        #expect(first == again)
        #expect(first != other)
        let faulted = first.filter { $0 != "ok" }.count
        #expect((70...110).contains(faulted), "\(faulted) faults of 300 at rate 0.3")
        #expect(first.contains("drop"))
        #expect(first.contains("InternalServerException"))
    }

    @Test func injectedErrorIsA500WithRequestID() throws {
        let harness = try Harness { $0.faultRate = 1 }
        _ = harness.emulator.configure(["faultKinds": ["error"]])
        let response = harness.request("DescribeOptOutLists", [:])
        #expect(response.status == 500)
        #expect(Harness.errorType(response) == "InternalServerException")
        let id = response.headers.first { $0.name == "x-amzn-RequestId" }?.value
        #expect(id?.isEmpty == false)
        #expect(JSONValue.parse(response.body)?["RequestId"]?.stringValue == id)
    }
}

@Suite struct EmulatorSignatureTests {
    @Test func validSignatureIsAccepted() throws {
        let harness = try Harness()
        let response = harness.request("DescribeOptOutLists", [:])
        #expect(response.status == 200)
        #expect(response.headers.contains { $0.name == "x-amzn-RequestId" && !$0.value.isEmpty })
    }

    @Test func badSignaturesAreRejectedLikeAWS() throws {
        let temp = EmulatorCredential(accessKeyID: "ASIATEMP", secretAccessKey: "temp-secret", sessionToken: "tok")
        let harness = try Harness { $0.credentials = [.awsTestSuite, temp] }
        let wrongSecret = EmulatorCredential(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "wrong")
        let cases: [(String, HTTPServerResponse, String)] = [
            ("wrong secret", harness.request("DescribeOptOutLists", [:], credential: wrongSecret), "InvalidSignatureException"),
            ("tampered body", harness.request("DescribeOptOutLists", [:], tamper: true), "InvalidSignatureException"),
            ("signed 6 minutes ago", harness.request("DescribeOptOutLists", [:], signedAt: Harness.start.addingTimeInterval(-360)), "InvalidSignatureException"),
            ("signed 6 minutes ahead", harness.request("DescribeOptOutLists", [:], signedAt: Harness.start.addingTimeInterval(360)), "InvalidSignatureException"),
            ("wrong region", harness.request("DescribeOptOutLists", [:], region: "eu-west-1"), "InvalidSignatureException"),
            ("unknown key", harness.request("DescribeOptOutLists", [:], credential: EmulatorCredential(accessKeyID: "AKIDOTHER", secretAccessKey: "x")), "UnrecognizedClientException"),
            ("missing session token", harness.request("DescribeOptOutLists", [:], credential: EmulatorCredential(accessKeyID: "ASIATEMP", secretAccessKey: "temp-secret")), "UnrecognizedClientException"),
        ]
        for (name, response, type) in cases {
            #expect(response.status == 403, "\(name)")
            #expect(Harness.errorType(response) == type, "\(name)")
        }
        #expect(harness.request("DescribeOptOutLists", [:], credential: temp).status == 200)
        // Within the 5-minute window a signature from 4 minutes ago still counts (replays are accepted).
        #expect(harness.request("DescribeOptOutLists", [:], signedAt: Harness.start.addingTimeInterval(-240)).status == 200)
        let unsigned = harness.emulator.handle(HTTPServerRequest(method: "POST", target: "/", headers: [("x-amz-target", "PinpointSMSVoiceV2.DescribeOptOutLists")],
                                                                 body: Array("{}".utf8), remoteAddress: "127.0.0.1"))
        #expect(Harness.errorType(unsigned) == "MissingAuthenticationTokenException")
        #expect(harness.emulator.statistics.badSignatures == cases.count + 1)
    }

    @Test func unknownOperationsAndUnreadableBodies() throws {
        let harness = try Harness()
        let unknown = harness.request("SendTextMessage", [:])
        #expect(unknown.status == 400)
        #expect(Harness.errorType(unknown) == "UnknownOperationException")
        let wrongType = harness.request("PutOptedOutNumber", ["OptOutListName": 5, "OptedOutNumber": "+12065550100"])
        #expect(Harness.errorType(wrongType) == "SerializationException")
        let invalid = harness.request("PutOptedOutNumber", ["OptOutListName": "Default", "OptedOutNumber": "+999123"])
        #expect(Harness.errorType(invalid) == "ValidationException")
        #expect(JSONValue.parse(invalid.body)?["Reason"] == "INVALID_PARAMETER")
    }
}

@Suite struct EmulatorControlTests {
    @Test func stopReplyAddsAnEndUserOptOutToThePoolsList() throws {
        let harness = try Harness()
        let (status, pool) = harness.control("POST", "/_emulator/pools", ["optOutListName": "Default"])
        #expect(status == 200)
        let poolID = try #require(pool["poolId"]?.stringValue)
        #expect(harness.control("POST", "/_emulator/stop", ["number": "+12065550142", "pool": .string(poolID)]).1["added"] == true)
        let entry = harness.emulator.snapshot.lists["Default"]?.numbers["+12065550142"]
        #expect(entry?.endUserOptedOut == true)
        #expect(entry?.timestamp == Harness.start.timeIntervalSince1970)
        let described = harness.request("DescribeOptedOutNumbers", ["OptOutListName": "Default",
                                                                    "Filters": [["Name": "end-user-opted-out", "Values": ["true"]]]])
        #expect(JSONValue.parse(described.body)?["OptedOutNumbers"]?.arrayValue?.count == 1)
        // A pool that self-manages opt-outs only forwards the STOP.
        let own = harness.control("POST", "/_emulator/pools", ["optOutListName": "Default", "selfManagedOptOutsEnabled": true]).1
        #expect(harness.control("POST", "/_emulator/stop", ["number": "+12065550143", "pool": own["poolId"]!]).1["added"] == false)
        #expect(harness.emulator.snapshot.lists["Default"]?.numbers["+12065550143"] == nil)
        #expect(harness.emulator.statistics.stopsSimulated == 2)
        // An API put of the same number keeps EndUserOptedOut true and counts as a duplicate.
        let put = harness.request("PutOptedOutNumber", ["OptOutListName": "Default", "OptedOutNumber": "+12065550142"])
        #expect(JSONValue.parse(put.body)?["EndUserOptedOut"] == true)
        #expect(harness.emulator.statistics.duplicatePuts == 1)
    }

    @Test func controlSurfaceIsLoopbackOnly() throws {
        let harness = try Harness()
        #expect(harness.control("GET", "/_emulator/state", remote: "10.1.2.3").0 == 403)
        #expect(harness.control("GET", "/_emulator/health").0 == 200)
        #expect(harness.control("GET", "/_emulator/nothing").0 == 404)
    }

    @Test func clockAdvanceResetStateAndStats() throws {
        let harness = try Harness()
        _ = harness.request("PutOptedOutNumber", ["OptOutListName": "Default", "OptedOutNumber": "+12065550100"])
        _ = harness.request("DeleteOptedOutNumber", ["OptOutListName": "Default", "OptedOutNumber": "+12065550100"])
        _ = harness.request("PutOptedOutNumber", ["OptOutListName": "Default", "OptedOutNumber": "+12065550100"])
        let again = harness.request("DeleteOptedOutNumber", ["OptOutListName": "Default", "OptedOutNumber": "+12065550100"])
        #expect(Harness.errorType(again) == "ConflictException")
        let (_, clock) = harness.control("POST", "/_emulator/clock", ["advanceSeconds": .number(30 * 86_400)])
        #expect(clock["now"]?.numberValue == Harness.start.timeIntervalSince1970 + 30 * 86_400)
        #expect(harness.request("DeleteOptedOutNumber", ["OptOutListName": "Default", "OptedOutNumber": "+12065550100"]).status == 200)
        let (_, stats) = harness.control("GET", "/_emulator/stats")
        #expect(stats["requestsByOperation"]?["PutOptedOutNumber"] == 2)
        #expect(stats["requestsByOperation"]?["DeleteOptedOutNumber"] == 3)
        #expect(stats["timeline"]?[String(Int(Harness.start.timeIntervalSince1970))] == 4)
        #expect(stats["peakConcurrency"] == 1)
        let (_, state) = harness.control("GET", "/_emulator/state")
        #expect(state["lists"]?["Default"]?["name"] == "Default")
        #expect(harness.control("POST", "/_emulator/reset").0 == 200)
        #expect(harness.emulator.statistics.totalRequests == 0)
        #expect(harness.emulator.snapshot.deletions.isEmpty)
    }

    @Test func stateFileSurvivesARestart() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("emulator-state-\(UUID().uuidString).json").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        var options = EmulatorOptions()
        options.stateFile = path
        let first = try SMSVoiceEmulator.start(options: options)
        let port = first.port
        let response = try await onThread { try RawHTTPClient(port: port).request("POST", "/_emulator/stop", body: Array(#"{"number":"+447700900123"}"#.utf8)) }
        #expect(response.status == 200)
        try await onThread { first.stop() }
        let second = try SMSVoiceEmulator.start(options: options)
        defer { second.stop() }
        #expect(second.emulator.snapshot.lists["Default"]?.numbers["+447700900123"]?.endUserOptedOut == true)
    }
}

@Suite struct EmulatorModelTests {
    @Test func phoneNumberValidity() {
        #expect(PhoneValidity.normalized("+12065550100") == "+12065550100")
        #expect(PhoneValidity.normalized("12065550100") == "+12065550100")
        #expect(PhoneValidity.normalized("+442079460958") == "+442079460958")
        #expect(PhoneValidity.normalized("+4930123456") == "+4930123456")
        #expect(PhoneValidity.normalized("+10005550100") == nil)   // NANP area code cannot start with 0
        #expect(PhoneValidity.normalized("+1206555010") == nil)    // too short for NANP
        #expect(PhoneValidity.normalized("+999123456") == nil)     // no such calling code
        #expect(PhoneValidity.normalized("+3312") == nil)          // too short for France
    }

    @Test func nextTokenSurvivesChangesAndRejectsForgeries() throws {
        var state = EmulatorState(region: "us-east-1", account: "123456789012", now: Harness.start)
        var duplicate = false
        for i in 0..<10 {
            _ = try state.putOptedOutNumber(list: "Default", number: "+1206555010\(i)", endUser: false, 1, duplicate: &duplicate)
        }
        let first = try state.describeOptedOutNumbers(["OptOutListName": "Default", "MaxResults": 4])
        let token = try #require(first["NextToken"]?.stringValue)
        #expect(first["OptedOutNumbers"]?.arrayValue?.count == 4)
        // Remove the last number returned and one on the next page; the token still continues after the former.
        state.lists["Default"]!.numbers["+12065550103"] = nil
        state.lists["Default"]!.numbers["+12065550104"] = nil
        let second = try state.describeOptedOutNumbers(["OptOutListName": "Default", "MaxResults": 4, "NextToken": .string(token)])
        #expect(second["OptedOutNumbers"]?.arrayValue?.compactMap { $0["OptedOutNumber"]?.stringValue } ==
                ["+12065550105", "+12065550106", "+12065550107", "+12065550108"])
        // A token of one collection is not valid for another.
        #expect(throws: APIError.self) { try state.describeOptOutLists(["NextToken": .string(token)]) }
    }

    @Test func validationReportsEveryFailingField() {
        let error = RequestValidator.validate(["OptOutListName": "bad name", "Tags": [["Key": ""]]], operation: "CreateOptOutList")
        #expect(error?.type == "ValidationException")
        let names = error?.members["Fields"]?.arrayValue?.compactMap { $0["Name"]?.stringValue }
        #expect(names == ["OptOutListName", "Tags.1.Value", "Tags.1.Key"])
    }
}

@Suite struct EmulatorOptionParsingTests {
    @Test func credentialArguments() {
        #expect(EmulatorCredential(argument: "AKID:se/cr+et") == EmulatorCredential(accessKeyID: "AKID", secretAccessKey: "se/cr+et"))
        #expect(EmulatorCredential(argument: "ASIA:secret:tok") == EmulatorCredential(accessKeyID: "ASIA", secretAccessKey: "secret", sessionToken: "tok"))
        #expect(EmulatorCredential(argument: "AKID") == nil)
        #expect(EmulatorCredential(argument: "AKID:") == nil)
        #expect(EmulatorCredential(argument: "AKID:secret:") == nil)
    }

    @Test func quotaArguments() {
        #expect(EmulatorOptions.parseQuota("PutOptedOutNumber=50")! == ("PutOptedOutNumber", 50))
        #expect(EmulatorOptions.parseQuota("PutOptedOutNumber=0") == nil)
        #expect(EmulatorOptions.parseQuota("SendTextMessage=5") == nil)
        #expect(EmulatorOptions.parseQuota("PutOptedOutNumber") == nil)
        #expect(EmulatorOptions.operationNames.count == 8)
    }
}
