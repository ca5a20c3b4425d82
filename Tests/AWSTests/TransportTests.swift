import AWS
import Foundation
import HTTPServer
import Logging
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The libcurl transport over real loopback HTTP (HTTPServer on an ephemeral port).
@Suite struct TransportTests {
    /// A loopback server plus the bookkeeping tests assert on.
    final class Loopback: Sendable {
        let server: HTTPServer
        let url: URL
        let seen = Mutex<[HTTPServerRequest]>([])
        let concurrent = Atomic<Int>(0)
        let maxConcurrent = Atomic<Int>(0)

        init(delay: Duration = .zero, _ answer: @escaping @Sendable (HTTPServerRequest) -> HTTPServerResponse = { _ in HTTPServerResponse(status: 200, text: "ok") }) throws {
            let box = Mutex<Loopback?>(nil)
            server = HTTPServer { request in
                let loopback = box.withLock { $0 }!
                loopback.seen.withLock { $0.append(request) }
                let now = loopback.concurrent.wrappingAdd(1, ordering: .relaxed).newValue
                var high = loopback.maxConcurrent.load(ordering: .relaxed)
                while now > high {
                    let (exchanged, original) = loopback.maxConcurrent.compareExchange(expected: high, desired: now, ordering: .relaxed)
                    if exchanged { break }
                    high = original
                }
                if delay > .zero { usleep(UInt32(delay.components.seconds * 1_000_000 + delay.components.attoseconds / 1_000_000_000_000)) }
                loopback.concurrent.wrappingSubtract(1, ordering: .relaxed)
                return answer(request)
            }
            let port = try server.start()
            url = URL(string: "http://127.0.0.1:\(port)")!
            box.withLock { $0 = self }
        }

        deinit { server.stop() }
        var requests: [HTTPServerRequest] { seen.withLock { $0 } }
    }

    @Test func roundTripCarriesMethodHeadersAndBodies() async throws {
        let loopback = try Loopback { request in
            HTTPServerResponse(status: 201, headers: [("X-Amzn-RequestId", "r-1"), ("Content-Type", "application/json")],
                               body: Array("{\"got\":\(request.body.count)}".utf8))
        }
        let transport = CurlTransport(maxInFlight: 2)
        let body = Array("{\"OptOutListName\":\"cards\"}".utf8)
        let response = try await transport.send(HTTPRequest(method: "POST", url: loopback.url.appendingPathComponent("x"), headers: [
            ("Content-Type", "application/x-amz-json-1.0"), ("X-Amz-Target", "PinpointSMSVoiceV2.PutOptedOutNumber"), ("X-Empty", ""),
        ], body: body), timeout: .seconds(5))
        #expect(response.status == 201)
        #expect(response.header("x-amzn-requestid") == "r-1")
        #expect(response.body == Array("{\"got\":\(body.count)}".utf8))
        let request = try #require(loopback.requests.first)
        #expect(request.method == "POST")
        #expect(request.path == "/x")
        #expect(request.body == body)
        #expect(request.header("content-type") == "application/x-amz-json-1.0")
        #expect(request.header("x-amz-target") == "PinpointSMSVoiceV2.PutOptedOutNumber")
        #expect(request.header("x-empty") == "")
        #expect(request.header("expect") == nil)
    }

    @Test func sequentialRequestsReuseOneConnection() async throws {
        let loopback = try Loopback()
        let transport = CurlTransport(maxInFlight: 8)
        for _ in 0..<50 {
            let response = try await transport.send(HTTPRequest(method: "GET", url: loopback.url), timeout: .seconds(5))
            #expect(response.status == 200)
        }
        #expect(loopback.server.acceptedConnections == 1)
        #expect(transport.workers == 1)
    }

    @Test func inFlightRequestsAndConnectionsAreBounded() async throws {
        let loopback = try Loopback(delay: .milliseconds(20))
        let transport = CurlTransport(maxInFlight: 4)
        let url = loopback.url
        try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<40 {
                group.addTask { try await transport.send(HTTPRequest(method: "POST", url: url, body: [1, 2, 3]), timeout: .seconds(10)).status }
            }
            for try await status in group { #expect(status == 200) }
        }
        #expect(loopback.requests.count == 40)
        #expect(loopback.maxConcurrent.load(ordering: .relaxed) <= 4)
        #expect(loopback.server.acceptedConnections <= 4)
        #expect(transport.workers <= 4)
    }

    @Test func aSlowAnswerTimesOut() async throws {
        let loopback = try Loopback(delay: .milliseconds(400))
        let transport = CurlTransport(maxInFlight: 1)
        let error = await #expect(throws: TransportError.self) {
            _ = try await transport.send(HTTPRequest(method: "GET", url: loopback.url), timeout: .milliseconds(100))
        }
        #expect(error?.kind == .timeout)
        #expect(error?.retryClass == .transient)
    }

    @Test func refusedConnectionIsAConnectErrorWithoutTheQuery() async throws {
        let port: UInt16 = try {
            let probe = HTTPServer { _ in HTTPServerResponse(status: 200) }
            let port = try probe.start()
            probe.stop()
            return port
        }()
        let transport = CurlTransport(maxInFlight: 1)
        let error = await #expect(throws: TransportError.self) {
            _ = try await transport.send(HTTPRequest(method: "GET", url: URL(string: "http://127.0.0.1:\(port)/path?X-Amz-Security-Token=secret")!), timeout: .seconds(5))
        }
        #expect(error?.kind == .connect)
        #expect(error?.endpoint == "127.0.0.1:\(port)/path")
        #expect(error?.description.contains("secret") == false)
    }

    @Test func aDroppedConnectionIsATransientIOError() async throws {
        let loopback = try Loopback { _ in .drop }
        let transport = CurlTransport(maxInFlight: 1)
        let error = await #expect(throws: TransportError.self) {
            _ = try await transport.send(HTTPRequest(method: "POST", url: loopback.url, body: [1]), timeout: .seconds(5))
        }
        #expect(error?.kind == .io)
        #expect(error?.retryClass == .transient)
    }

    @Test func cancellingAbortsARequestOnTheWire() async throws {
        // The answer comes late enough that the cancellation always wins, even on a loaded machine.
        let loopback = try Loopback(delay: .seconds(4))
        let transport = CurlTransport(maxInFlight: 1)
        let task = Task { try await transport.send(HTTPRequest(method: "GET", url: loopback.url), timeout: .seconds(10)) }
        while loopback.requests.isEmpty { await Task.yield() }
        task.cancel()
        let error = await #expect(throws: TransportError.self) { _ = try await task.value }
        #expect(error?.kind == .cancelled)
        #expect(error?.retryClass == .permanent)
    }

    @Test func cancellingAQueuedRequestNeverSendsIt() async throws {
        let loopback = try Loopback(delay: .milliseconds(200))
        let transport = CurlTransport(maxInFlight: 1)
        let first = Task { try await transport.send(HTTPRequest(method: "GET", url: loopback.url.appendingPathComponent("first")), timeout: .seconds(10)) }
        while loopback.requests.isEmpty { await Task.yield() }
        let second = Task { try await transport.send(HTTPRequest(method: "GET", url: loopback.url.appendingPathComponent("second")), timeout: .seconds(10)) }
        second.cancel()
        let error = await #expect(throws: TransportError.self) { _ = try await second.value }
        #expect(error?.kind == .cancelled)
        #expect(try await first.value.status == 200)
        #expect(loopback.requests.map(\.path) == ["/first"])
    }

    /// The same client code as SMSVoiceClientTests, over real HTTP: signed request in, typed error out.
    @Test func clientOverRealHTTP() async throws {
        let loopback = try Loopback { request in
            guard request.header("x-amz-target") == "PinpointSMSVoiceV2.PutOptedOutNumber",
                  request.header("authorization")?.contains("/us-east-1/sms-voice/aws4_request") == true else {
                return HTTPServerResponse(status: 400, headers: [("X-Amzn-ErrorType", "UnknownOperationException")])
            }
            return HTTPServerResponse(status: 400, headers: [("x-amzn-RequestId", "r-9"), ("Content-Type", "application/x-amz-json-1.0")],
                                      body: Array(#"{"__type":"com.amazonaws.pinpointsmsvoicev2#ResourceNotFoundException","Message":"no list","ResourceType":"opt-out-list","ResourceId":"cards"}"#.utf8))
        }
        let client = SMSVoiceClient(endpoint: loopback.url, region: "us-east-1", credentials: StaticCredentialProvider(exampleCredentials),
                                    transport: CurlTransport(maxInFlight: 2), logger: .disabled)
        let error = await serviceError {
            _ = try await client.putOptedOutNumber(listName: "cards", number: "+12065550100")
        }
        #expect(error?.code == "ResourceNotFoundException")
        #expect(error?.requestID == "r-9")
        #expect(error?.resourceID == "cards")
        let request = try #require(loopback.requests.first)
        #expect(request.header("host") == "127.0.0.1:\(loopback.url.port!)")
        #expect(request.path == "/")
    }
}
