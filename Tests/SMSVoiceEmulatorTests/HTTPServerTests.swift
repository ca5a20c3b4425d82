import Foundation
import HTTPServer
import Testing

@Suite struct HTTPServerTests {
    static func echoServer(maxRequestBytes: Int = 1 << 20) -> HTTPServer {
        HTTPServer(maxRequestBytes: maxRequestBytes) { request in
            HTTPServerResponse(status: 200, headers: [("X-Path", request.path), ("X-Remote", request.remoteAddress)],
                               body: Array("\(request.method) \(request.body.count) ".utf8) + request.body)
        }
    }

    @Test func keepAliveReusesOneConnection() async throws {
        let server = Self.echoServer()
        let port = try server.start()
        defer { server.stop() }
        #expect(port != 0)
        let bodies = try await onThread {
            let client = try RawHTTPClient(port: port)
            return try (0..<20).map { i in try client.request("POST", "/echo?i=\(i)", body: Array("hello \(i)".utf8)).text }
        }
        #expect(bodies.count == 20)
        #expect(bodies[7] == "POST 7 hello 7")
        #expect(server.acceptedConnections == 1)
        #expect(server.requestsServed == 20)
    }

    @Test func responseCarriesHeadersAndRemoteAddress() async throws {
        let server = Self.echoServer()
        let port = try server.start()
        defer { server.stop() }
        let response = try await onThread { try RawHTTPClient(port: port).request("GET", "/a/b?q=1") }
        #expect(response.status == 200)
        #expect(response.headers["x-path"] == "/a/b")
        #expect(response.headers["x-remote"] == "127.0.0.1")
        #expect(response.headers["connection"] == "keep-alive")
    }

    @Test func concurrentClientsEachGetTheirOwnAnswers() async throws {
        let server = Self.echoServer()
        let port = try server.start()
        defer { server.stop() }
        let results = try await withThrowingTaskGroup(of: Int.self) { group in
            for client in 0..<16 {
                group.addTask {
                    try await onThread {
                        let connection = try RawHTTPClient(port: port)
                        var good = 0
                        for i in 0..<50 {
                            let payload = "c\(client)-r\(i)"
                            if try connection.request("POST", "/", body: Array(payload.utf8)).text == "POST \(payload.utf8.count) \(payload)" { good += 1 }
                        }
                        return good
                    }
                }
            }
            return try await group.reduce(0, +)
        }
        #expect(results == 16 * 50)
        #expect(server.acceptedConnections == 16)
        #expect(server.requestsServed == 800)
    }

    @Test func oversizeRequestGets413AndClose() async throws {
        let server = Self.echoServer(maxRequestBytes: 1024)
        let port = try server.start()
        defer { server.stop() }
        let (response, closed) = try await onThread {
            let client = try RawHTTPClient(port: port)
            try client.sendRaw(Array("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n".utf8))
            let response = try client.readResponse()
            return (response, client.isClosedByPeer())
        }
        #expect(response.status == 413)
        #expect(response.headers["connection"] == "close")
        #expect(closed)
        // A request within the limit still works on a new connection.
        let ok = try await onThread { try RawHTTPClient(port: port).request("POST", "/", body: Array(repeating: 65, count: 500)) }
        #expect(ok.status == 200)
    }

    @Test func chunkedBodiesAndMalformedRequestsAreRefused() async throws {
        let server = Self.echoServer()
        let port = try server.start()
        defer { server.stop() }
        let chunked = try await onThread { () -> RawHTTPClient.Response in
            let client = try RawHTTPClient(port: port)
            try client.sendRaw(Array("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n".utf8))
            return try client.readResponse()
        }
        #expect(chunked.status == 411)
        let malformed = try await onThread { () -> RawHTTPClient.Response in
            let client = try RawHTTPClient(port: port)
            try client.sendRaw(Array("NONSENSE\r\n\r\n".utf8))
            return try client.readResponse()
        }
        #expect(malformed.status == 400)
        // Pipelined requests in one packet are answered in order.
        let pipelined = try await onThread { () -> [String] in
            let client = try RawHTTPClient(port: port)
            try client.sendRaw(Array("POST /a HTTP/1.1\r\nContent-Length: 1\r\n\r\nAPOST /b HTTP/1.1\r\nContent-Length: 2\r\n\r\nBB".utf8))
            return [try client.readResponse().text, try client.readResponse().text]
        }
        #expect(pipelined == ["POST 1 A", "POST 2 BB"])
    }

    @Test func connectionCloseIsHonoured() async throws {
        let server = Self.echoServer()
        let port = try server.start()
        defer { server.stop() }
        let (response, closed) = try await onThread {
            let client = try RawHTTPClient(port: port)
            let response = try client.request("GET", "/", headers: [("Connection", "close")])
            return (response, client.isClosedByPeer())
        }
        #expect(response.status == 200)
        #expect(response.headers["connection"] == "close")
        #expect(closed)
    }

    @Test func dropResponseClosesWithoutAnswer() async throws {
        let server = HTTPServer { _ in .drop }
        let port = try server.start()
        defer { server.stop() }
        let failed = try await onThread { () -> Bool in
            let client = try RawHTTPClient(port: port)
            do { _ = try client.request("GET", "/"); return false } catch { return true }
        }
        #expect(failed)
    }

    @Test func stopClosesIdleConnectionsAndRefusesNewOnes() async throws {
        let server = Self.echoServer()
        let port = try server.start()
        let client = try await onThread { () -> RawHTTPClientBox in
            let client = try RawHTTPClient(port: port)
            _ = try client.request("GET", "/")
            return RawHTTPClientBox(client)
        }
        #expect(server.currentConnections == 1)
        try await onThread { server.stop() }
        #expect(server.currentConnections == 0)
        let closed = try await onThread { client.client.isClosedByPeer() }
        #expect(closed)
        let refused = try await onThread { () -> Bool in
            do { _ = try RawHTTPClient(port: port).request("GET", "/"); return false } catch { return true }
        }
        #expect(refused)
    }
}

/// Carries a client across threads in a test that uses it from one thread at a time.
final class RawHTTPClientBox: @unchecked Sendable {
    let client: RawHTTPClient
    init(_ client: RawHTTPClient) { self.client = client }
}
