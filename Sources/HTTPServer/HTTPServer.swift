import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// One parsed HTTP/1.1 request. Header names are lower-cased.
public struct HTTPServerRequest: Sendable {
    public var method: String
    /// The request target as sent, e.g. `/` or `/_emulator/state?x=1`.
    public var target: String
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]
    /// The peer's IP address, e.g. `127.0.0.1`.
    public var remoteAddress: String

    public init(method: String, target: String, headers: [(name: String, value: String)], body: [UInt8], remoteAddress: String) {
        self.method = method
        self.target = target
        self.headers = headers
        self.body = body
        self.remoteAddress = remoteAddress
    }

    /// The path without the query string.
    public var path: String { String(target.prefix { $0 != "?" }) }

    /// The query string after `?`, or "" when there is none.
    public var query: String {
        guard let index = target.firstIndex(of: "?") else { return "" }
        return String(target[target.index(after: index)...])
    }

    /// The first value of a header (name compared case-insensitively).
    public func header(_ name: String) -> String? {
        let lower = name.lowercased()
        return headers.first { $0.name == lower }?.value
    }

    /// Whether the peer is on the loopback interface.
    public var isLoopback: Bool { remoteAddress.hasPrefix("127.") || remoteAddress == "::1" }
}

public struct HTTPServerResponse: Sendable {
    public var status: Int
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]
    /// When true, the server closes the connection without writing anything (fault injection).
    public var dropConnection: Bool

    public init(status: Int, headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
        self.dropConnection = false
    }

    public init(status: Int, headers: [(name: String, value: String)] = [], text: String) {
        self.init(status: status, headers: headers + [("Content-Type", "text/plain; charset=utf-8")], body: Array(text.utf8))
    }

    /// Close the connection without answering.
    public static var drop: HTTPServerResponse {
        var response = HTTPServerResponse(status: 500)
        response.dropConnection = true
        return response
    }
}

public struct HTTPServerError: Error, Sendable, CustomStringConvertible {
    public var operation: String
    public var errno: Int32
    public var description: String { "HTTP server \(operation) failed: \(String(cString: strerror(errno))) (errno \(errno))" }
}

/// A small HTTP/1.1 server on POSIX sockets for loopback test servers, the emulator and /metrics.
///
/// One dedicated thread accepts; each connection gets its own thread that reads requests, calls the
/// synchronous handler and writes each response in one `send`. Handlers run on that connection thread,
/// so they may block (e.g. sleep to inject latency) without touching Swift's cooperative pool.
/// Keep-alive, `Content-Length` bodies only (chunked uploads get 411), requests over `maxRequestBytes` get 413.
public final class HTTPServer: Sendable {
    public typealias Handler = @Sendable (HTTPServerRequest) -> HTTPServerResponse

    public let host: String
    public let requestedPort: UInt16
    public let maxRequestBytes: Int
    /// A connection idle this long between requests is closed.
    public let idleTimeout: Duration
    private let handler: Handler

    private struct State {
        var listener: Int32 = -1
        var port: UInt16 = 0
        var connections: Set<Int32> = []
        var stopping = false
    }
    private let state = Mutex(State())
    private let accepted = Atomic<Int>(0)
    private let current = Atomic<Int>(0)
    private let requests = Atomic<Int>(0)
    /// Signalled when the accept thread and every connection thread have ended.
    private let finished = NSCondition()
    private let acceptRunning = Atomic<Bool>(false)

    public init(host: String = "127.0.0.1", port: UInt16 = 0, maxRequestBytes: Int = 1 << 20,
                idleTimeout: Duration = .seconds(60), handler: @escaping Handler) {
        self.host = host
        self.requestedPort = port
        self.maxRequestBytes = maxRequestBytes
        self.idleTimeout = idleTimeout
        self.handler = handler
    }

    /// Connections accepted since start.
    public var acceptedConnections: Int { accepted.load(ordering: .relaxed) }
    /// Connections open now.
    public var currentConnections: Int { current.load(ordering: .relaxed) }
    /// Requests answered (or dropped) since start.
    public var requestsServed: Int { requests.load(ordering: .relaxed) }
    /// The bound port (0 before `start`).
    public var port: UInt16 { state.withLock { $0.port } }

    /// Binds, listens and starts accepting. Returns the actual port (useful with port 0).
    @discardableResult
    public func start() throws -> UInt16 {
        signal(SIGPIPE, SIG_IGN)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw HTTPServerError(operation: "socket", errno: errno) }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = requestedPort.bigEndian
        guard inet_pton(AF_INET, host, &address.sin_addr) == 1 else {
            close(fd)
            throw HTTPServerError(operation: "parse address \(host)", errno: EINVAL)
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { let e = errno; close(fd); throw HTTPServerError(operation: "bind \(host):\(requestedPort)", errno: e) }
        guard listen(fd, 512) == 0 else { let e = errno; close(fd); throw HTTPServerError(operation: "listen", errno: e) }
        var actual = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        let port = UInt16(bigEndian: actual.sin_port)
        state.withLock { $0.listener = fd; $0.port = port; $0.stopping = false }
        acceptRunning.store(true, ordering: .sequentiallyConsistent)
        spawn { [self] in acceptLoop(fd) }
        return port
    }

    /// Stops accepting, closes every connection and waits for the threads to end.
    public func stop() {
        let (listener, open): (Int32, Set<Int32>) = state.withLock { s in
            s.stopping = true
            let l = s.listener
            s.listener = -1
            return (l, s.connections)
        }
        if listener >= 0 { shutdown(listener, Int32(SHUT_RDWR)) }
        // Wakes threads blocked in recv; each thread closes its own descriptor.
        for fd in open { shutdown(fd, Int32(SHUT_RDWR)) }
        finished.lock()
        while acceptRunning.load(ordering: .sequentiallyConsistent) || current.load(ordering: .sequentiallyConsistent) > 0 {
            _ = finished.wait(until: Date().addingTimeInterval(0.05))
            // A connection accepted just before `stopping` was set may have registered late.
            for fd in state.withLock({ $0.connections }) { shutdown(fd, Int32(SHUT_RDWR)) }
        }
        finished.unlock()
        if listener >= 0 { close(listener) }
    }

    deinit {
        let listener = state.withLock { $0.listener }
        if listener >= 0 { close(listener) }
    }

    private func spawn(_ body: @escaping @Sendable () -> Void) {
        let thread = Thread(block: body)
        thread.stackSize = 1 << 20
        thread.start()
    }

    private func signalFinished() {
        finished.lock()
        finished.broadcast()
        finished.unlock()
    }

    private func acceptLoop(_ listener: Int32) {
        defer {
            acceptRunning.store(false, ordering: .sequentiallyConsistent)
            signalFinished()
        }
        while true {
            var peer = sockaddr_in()
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let fd = withUnsafeMutablePointer(to: &peer) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { accept(listener, $0, &length) }
            }
            if fd < 0 {
                if errno == EINTR || errno == ECONNABORTED { continue }
                if state.withLock({ $0.stopping }) { return }
                if errno == EMFILE || errno == ENFILE { usleep(10_000); continue }
                return
            }
            let registered: Bool = state.withLock { s in
                if s.stopping { return false }
                s.connections.insert(fd)
                return true
            }
            guard registered else { close(fd); return }
            var one: Int32 = 1
            setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
            let seconds = idleTimeout.components.seconds
            var timeout = timeval(tv_sec: Int(max(seconds, 1)), tv_usec: 0)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            var text = [CChar](repeating: 0, count: Int(INET_ADDRSTRLEN))
            inet_ntop(AF_INET, &peer.sin_addr, &text, socklen_t(INET_ADDRSTRLEN))
            let remote = String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            accepted.add(1, ordering: .relaxed)
            current.add(1, ordering: .sequentiallyConsistent)
            spawn { [self] in
                serve(fd, remote: remote)
                state.withLock { _ = $0.connections.remove(fd) }
                close(fd)
                current.subtract(1, ordering: .sequentiallyConsistent)
                signalFinished()
            }
        }
    }

    /// Reads requests from one connection until it closes, errs, times out or asks to close.
    private func serve(_ fd: Int32, remote: String) {
        var reader = ConnectionReader(fd: fd)
        while true {
            let parsed = reader.readRequest(maxBytes: maxRequestBytes, remote: remote)
            switch parsed {
            case .closed:
                return
            case .failed(let status, let message):
                _ = write(fd, HTTPServerResponse(status: status, text: message + "\n"), keepAlive: false)
                // Half-close and drain briefly so the peer reads the answer instead of a reset.
                shutdown(fd, Int32(SHUT_WR))
                var timeout = timeval(tv_sec: 1, tv_usec: 0)
                setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
                var sink = [UInt8](repeating: 0, count: 64 * 1024)
                var drained = 0
                while drained < 4 * maxRequestBytes {
                    let n = sink.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
                    if n <= 0 { break }
                    drained += n
                }
                return
            case .request(let request, let keepAlive):
                let response = handler(request)
                requests.add(1, ordering: .relaxed)
                if response.dropConnection { return }
                guard write(fd, response, keepAlive: keepAlive), keepAlive else { return }
            }
        }
    }

    /// Writes headers and body in one `send` (no Nagle/delayed-ACK stall). False when the peer is gone.
    private func write(_ fd: Int32, _ response: HTTPServerResponse, keepAlive: Bool) -> Bool {
        var head = "HTTP/1.1 \(response.status) \(Self.reason(response.status))\r\n"
        for (name, value) in response.headers where name.lowercased() != "content-length" && name.lowercased() != "connection" {
            head += "\(name): \(value)\r\n"
        }
        head += "Content-Length: \(response.body.count)\r\n"
        head += keepAlive ? "Connection: keep-alive\r\n\r\n" : "Connection: close\r\n\r\n"
        var bytes = Array(head.utf8)
        bytes.append(contentsOf: response.body)
        var offset = 0
        while offset < bytes.count {
            let sent = bytes.withUnsafeBytes { send(fd, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL)) }
            if sent < 0 {
                if errno == EINTR { continue }
                return false
            }
            offset += sent
        }
        return true
    }

    static func reason(_ status: Int) -> String {
        switch status {
        case 200: "OK"
        case 201: "Created"
        case 204: "No Content"
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 408: "Request Timeout"
        case 411: "Length Required"
        case 413: "Content Too Large"
        case 429: "Too Many Requests"
        case 500: "Internal Server Error"
        case 501: "Not Implemented"
        case 502: "Bad Gateway"
        case 503: "Service Unavailable"
        case 504: "Gateway Timeout"
        default: "Status"
        }
    }
}

/// Buffered request reader for one connection (owned by that connection's thread).
/// Parses on bytes: this is every server's hot path.
struct ConnectionReader {
    enum Result {
        case request(HTTPServerRequest, keepAlive: Bool)
        case failed(status: Int, message: String)
        case closed
    }

    let fd: Int32
    /// Unconsumed bytes are `buffer[start...]`.
    var buffer: [UInt8] = []
    var start = 0
    var chunk = [UInt8](repeating: 0, count: 64 * 1024)

    init(fd: Int32) { self.fd = fd }

    /// Reads more bytes; false on EOF, error or timeout.
    private mutating func fill() -> Bool {
        if start > 0 && start == buffer.count { buffer.removeAll(keepingCapacity: true); start = 0 }
        else if start > 64 * 1024 { buffer.removeFirst(start); start = 0 }
        while true {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n > 0 { buffer.append(contentsOf: chunk[0..<n]); return true }
            if n < 0 && errno == EINTR { continue }
            return false
        }
    }

    mutating func readRequest(maxBytes: Int, remote: String) -> Result {
        var headEnd: Int?
        var searchFrom = start
        while true {
            headEnd = Self.findBlankLine(buffer, from: searchFrom)
            if headEnd != nil { break }
            searchFrom = max(start, buffer.count - 3)
            if buffer.count - start > maxBytes { return .failed(status: 413, message: "request header too large") }
            let offset = start
            if !fill() { return .closed }
            searchFrom -= offset - start  // fill may have compacted the buffer
        }
        let end = headEnd!
        // Lines of the head, split on CRLF.
        var lines: [ArraySlice<UInt8>] = []
        var lineStart = start
        var i = start
        while i < end {
            if buffer[i] == 13 && i + 1 < end + 2 && buffer[i + 1] == 10 {
                lines.append(buffer[lineStart..<i])
                i += 2
                lineStart = i
            } else {
                i += 1
            }
        }
        lines.append(buffer[lineStart..<end])
        let requestLine = lines[0].split(separator: UInt8(ascii: " "))
        guard requestLine.count == 3, requestLine[2].starts(with: "HTTP/1.".utf8) else {
            return .failed(status: 400, message: "malformed request line")
        }
        var headers: [(name: String, value: String)] = []
        headers.reserveCapacity(lines.count)
        for line in lines.dropFirst() where !line.isEmpty {
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { return .failed(status: 400, message: "malformed header line") }
            let name = String(decoding: line[line.startIndex..<colon].map { ($0 >= 65 && $0 <= 90) ? $0 + 32 : $0 }, as: UTF8.self)
            var valueStart = colon + 1, valueEnd = line.endIndex
            while valueStart < valueEnd, line[valueStart] == 32 || line[valueStart] == 9 { valueStart += 1 }
            while valueEnd > valueStart, line[valueEnd - 1] == 32 || line[valueEnd - 1] == 9 { valueEnd -= 1 }
            headers.append((name, String(decoding: line[valueStart..<valueEnd], as: UTF8.self)))
        }
        func header(_ name: String) -> String? { headers.first { $0.name == name }?.value }
        if let encoding = header("transfer-encoding"), encoding.lowercased() != "identity" {
            return .failed(status: 411, message: "chunked request bodies are not supported; send Content-Length")
        }
        var length = 0
        if let value = header("content-length") {
            guard let n = Int(value), n >= 0 else { return .failed(status: 400, message: "bad Content-Length") }
            length = n
        }
        let headLength = end + 4 - start
        if headLength + length > maxBytes { return .failed(status: 413, message: "request larger than \(maxBytes) bytes") }
        while buffer.count - start < headLength + length {
            if !fill() { return .closed }
        }
        let bodyStart = start + headLength
        let body = Array(buffer[bodyStart..<(bodyStart + length)])
        start = bodyStart + length
        let version = requestLine[2]
        let connection = header("connection")?.lowercased() ?? ""
        let keepAlive = version.elementsEqual("HTTP/1.0".utf8) ? connection.contains("keep-alive") : !connection.contains("close")
        let request = HTTPServerRequest(method: String(decoding: requestLine[0], as: UTF8.self),
                                        target: String(decoding: requestLine[1], as: UTF8.self),
                                        headers: headers, body: body, remoteAddress: remote)
        return .request(request, keepAlive: keepAlive)
    }

    static func findBlankLine(_ bytes: [UInt8], from start: Int) -> Int? {
        var i = max(0, start)
        while i + 3 < bytes.count {
            if bytes[i] == 13 && bytes[i + 1] == 10 && bytes[i + 2] == 13 && bytes[i + 3] == 10 { return i }
            i += 1
        }
        return nil
    }
}
