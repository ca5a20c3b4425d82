import CCurl
import Foundation
import Synchronization

/// The production HTTP transport: libcurl's easy interface on a bounded pool of worker threads.
///
/// Each worker thread owns one curl easy handle for its whole life, so its connection is kept
/// alive and reused (at most one connection per worker and host). The number of workers is
/// `maxInFlight`: that many requests are on the wire at once, the rest wait in a FIFO queue.
/// Workers start lazily when every existing worker is busy. Blocking `curl_easy_perform` runs on
/// these threads, never on Swift's cooperative pool. See docs/aws-client.md for why not URLSession.
public final class CurlTransport: HTTPTransport {
    public let maxInFlight: Int
    public let connectTimeout: Duration
    private let pool: CurlWorkerPool

    public init(maxInFlight: Int = 64, connectTimeout: Duration = .seconds(5)) {
        precondition(maxInFlight > 0, "maxInFlight must be positive")
        self.maxInFlight = maxInFlight
        self.connectTimeout = connectTimeout
        self.pool = CurlWorkerPool(maxWorkers: maxInFlight, connectTimeout: connectTimeout)
    }

    deinit { pool.shutdown() }

    /// Sends one request. `timeout` bounds the whole exchange (connect, send, wait, receive).
    /// Cancelling the task removes a queued request or aborts one on the wire (`TransportError.Kind.cancelled`).
    public func send(_ request: HTTPRequest, timeout: Duration) async throws -> HTTPResponse {
        let job = CurlJob(request: request, timeout: timeout)
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                pool.enqueue(job, continuation)
            }
        } onCancel: {
            pool.cancel(job)
        }
    }

    /// Worker threads started so far (each holds at most one connection per host).
    public var workers: Int { pool.workerCount }

    /// Stops the worker threads once their current request is done; queued requests fail as cancelled.
    public func shutdown() { pool.shutdown() }
}

/// One request waiting for or being served by a worker.
final class CurlJob: Sendable {
    let request: HTTPRequest
    let timeout: Duration
    let cancelled = Atomic<Bool>(false)
    /// Set once under the pool's lock before the job is queued, read by the worker that dequeues it.
    nonisolated(unsafe) var continuation: CheckedContinuation<HTTPResponse, any Error>?

    init(request: HTTPRequest, timeout: Duration) {
        self.request = request
        self.timeout = timeout
    }

    var endpoint: String { CurlJob.endpoint(of: request.url) }

    /// Host (with port) and path: never the query string, which may carry secrets.
    static func endpoint(of url: URL) -> String {
        let target = SigV4Canonical.target(of: url)
        return target.host + target.path
    }
}

/// The queue and the worker threads. The condition's lock guards `queue`, `idle`, `workers` and `stopped`.
final class CurlWorkerPool: @unchecked Sendable {
    // @unchecked: every mutable field below is only touched with `condition` locked.
    private let condition = NSCondition()
    private var queue: [CurlJob] = []
    private var queueHead = 0
    private var idle = 0
    private var workers = 0
    private var stopped = false
    private let maxWorkers: Int
    private let connectTimeout: Duration

    init(maxWorkers: Int, connectTimeout: Duration) {
        CurlGlobal.initialize()
        self.maxWorkers = maxWorkers
        self.connectTimeout = connectTimeout
    }

    var workerCount: Int { condition.withLock { workers } }

    func enqueue(_ job: CurlJob, _ continuation: CheckedContinuation<HTTPResponse, any Error>) {
        condition.lock()
        if job.cancelled.load(ordering: .acquiring) || stopped {
            condition.unlock()
            continuation.resume(throwing: TransportError(kind: .cancelled, endpoint: job.endpoint, detail: "request cancelled before it was sent"))
            return
        }
        job.continuation = continuation
        queue.append(job)
        let spawn = idle == 0 && workers < maxWorkers
        if spawn { workers += 1 }
        condition.signal()
        condition.unlock()
        if spawn { startWorker() }
    }

    func cancel(_ job: CurlJob) {
        job.cancelled.store(true, ordering: .releasing)
        condition.lock()
        var removed: CheckedContinuation<HTTPResponse, any Error>?
        if let index = queue[queueHead...].firstIndex(where: { $0 === job }) {
            queue.remove(at: index)
            removed = job.continuation
        }
        condition.unlock()
        removed?.resume(throwing: TransportError(kind: .cancelled, endpoint: job.endpoint, detail: "request cancelled before it was sent"))
    }

    func shutdown() {
        condition.lock()
        stopped = true
        let abandoned = Array(queue[queueHead...])
        queue.removeAll()
        queueHead = 0
        condition.broadcast()
        condition.unlock()
        for job in abandoned {
            job.continuation?.resume(throwing: TransportError(kind: .cancelled, endpoint: job.endpoint, detail: "transport shut down"))
        }
    }

    private func startWorker() {
        let thread = Thread { [self] in
            let easy = CurlEasy()
            while let job = nextJob() {
                let result = easy.perform(job, connectTimeout: connectTimeout)
                job.continuation?.resume(with: result)
            }
        }
        thread.name = "optout-sync.curl"
        thread.stackSize = 256 * 1024
        thread.start()
    }

    /// Blocks the worker thread until a job arrives or the pool stops.
    private func nextJob() -> CurlJob? {
        condition.lock()
        defer { condition.unlock() }
        idle += 1
        while queueHead == queue.count && !stopped { condition.wait() }
        idle -= 1
        if stopped {
            workers -= 1
            return nil
        }
        let job = queue[queueHead]
        queueHead += 1
        if queueHead > 1024 && queueHead * 2 > queue.count {
            queue.removeFirst(queueHead)
            queueHead = 0
        }
        return job
    }
}

enum CurlGlobal {
    private static let once: Bool = { curl_global_init(Int(CURL_GLOBAL_DEFAULT)) == CURLE_OK }()
    static func initialize() { _ = once }
}

/// One curl easy handle, owned by exactly one worker thread for its whole life.
final class CurlEasy {
    private let handle: UnsafeMutableRawPointer

    init() {
        guard let handle = curl_easy_init() else { fatalError("curl_easy_init failed (out of memory)") }
        self.handle = handle
    }

    deinit { curl_easy_cleanup(handle) }

    /// Collects one response's status line, headers and body through curl's callbacks.
    final class ResponseBuffer {
        var headers: [String: String] = [:]
        var body: [UInt8] = []
    }

    func perform(_ job: CurlJob, connectTimeout: Duration) -> Result<HTTPResponse, any Error> {
        let request = job.request
        curl_easy_reset(handle)  // keeps the connection cache
        let buffer = ResponseBuffer()
        let bufferPointer = Unmanaged.passUnretained(buffer).toOpaque()
        let jobPointer = Unmanaged.passUnretained(job).toOpaque()

        var headerList: UnsafeMutablePointer<curl_slist>? = nil
        for (name, value) in request.headers {
            // "Name;" is curl's way to send a header with an empty value.
            headerList = curl_slist_append(headerList, value.isEmpty ? "\(name);" : "\(name): \(value)")
        }
        headerList = curl_slist_append(headerList, "Expect:")
        defer { curl_slist_free_all(headerList) }

        _ = ccurl_setopt_long(handle, CURLOPT_NOSIGNAL, 1)
        _ = ccurl_setopt_long(handle, CURLOPT_TCP_NODELAY, 1)
        _ = ccurl_setopt_long(handle, CURLOPT_TCP_KEEPALIVE, 1)
        _ = ccurl_setopt_long(handle, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_1_1)
        _ = ccurl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, Self.milliseconds(connectTimeout))
        _ = ccurl_setopt_long(handle, CURLOPT_TIMEOUT_MS, Self.milliseconds(job.timeout))
        _ = ccurl_setopt_slist(handle, CURLOPT_HTTPHEADER, headerList)
        _ = ccurl_setopt_data_callback(handle, CURLOPT_WRITEFUNCTION, { data, size, count, context in
            let buffer = Unmanaged<ResponseBuffer>.fromOpaque(context!).takeUnretainedValue()
            let bytes = UnsafeRawBufferPointer(start: data, count: size * count)
            buffer.body.append(contentsOf: bytes)
            return size * count
        })
        _ = ccurl_setopt_pointer(handle, CURLOPT_WRITEDATA, bufferPointer)
        _ = ccurl_setopt_data_callback(handle, CURLOPT_HEADERFUNCTION, { data, size, count, context in
            let buffer = Unmanaged<ResponseBuffer>.fromOpaque(context!).takeUnretainedValue()
            let line = String(decoding: UnsafeRawBufferPointer(start: data, count: size * count), as: UTF8.self)
            if line.hasPrefix("HTTP/") {
                buffer.headers.removeAll()  // a new response (after 100 Continue or a redirect)
            } else if let colon = line.firstIndex(of: ":") {
                let name = line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
                let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespacesAndNewlines)
                buffer.headers[name] = buffer.headers[name].map { $0 + "," + value } ?? value
            }
            return size * count
        })
        _ = ccurl_setopt_pointer(handle, CURLOPT_HEADERDATA, bufferPointer)
        _ = ccurl_setopt_long(handle, CURLOPT_NOPROGRESS, 0)
        _ = ccurl_setopt_progress_callback(handle, { context, _, _, _, _ in
            let job = Unmanaged<CurlJob>.fromOpaque(context!).takeUnretainedValue()
            return job.cancelled.load(ordering: .relaxed) ? 1 : 0
        })
        _ = ccurl_setopt_pointer(handle, CURLOPT_XFERINFODATA, jobPointer)

        let method = request.method.uppercased()
        let code: CURLcode = request.url.absoluteString.withCString { url in
            _ = ccurl_setopt_string(handle, CURLOPT_URL, url)
            return method.withCString { methodPointer in
                request.body.withUnsafeBytes { body in
                    switch method {
                    case "GET" where body.isEmpty:
                        _ = ccurl_setopt_long(handle, CURLOPT_HTTPGET, 1)
                    case "HEAD":
                        _ = ccurl_setopt_long(handle, CURLOPT_NOBODY, 1)
                    default:
                        _ = ccurl_setopt_long(handle, CURLOPT_POST, 1)
                        _ = ccurl_setopt_offset(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count))
                        _ = ccurl_setopt_pointer(handle, CURLOPT_POSTFIELDS, body.baseAddress ?? UnsafeRawPointer(methodPointer))
                        if method != "POST" { _ = ccurl_setopt_string(handle, CURLOPT_CUSTOMREQUEST, methodPointer) }
                    }
                    return curl_easy_perform(handle)
                }
            }
        }
        guard code == CURLE_OK else {
            return .failure(Self.error(code, endpoint: job.endpoint))
        }
        var status = 0
        _ = ccurl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        return .success(HTTPResponse(status: status, headers: buffer.headers, body: buffer.body))
    }

    static func milliseconds(_ duration: Duration) -> Int {
        let (seconds, attoseconds) = duration.components
        return max(1, Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000))
    }

    static func error(_ code: CURLcode, endpoint: String) -> TransportError {
        let detail = "curl \(code.rawValue): " + String(cString: curl_easy_strerror(code))
        switch code {
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY, CURLE_COULDNT_CONNECT:
            return TransportError(kind: .connect, endpoint: endpoint, detail: detail)
        case CURLE_OPERATION_TIMEDOUT:
            return TransportError(kind: .timeout, endpoint: endpoint, detail: detail)
        case CURLE_ABORTED_BY_CALLBACK:
            return TransportError(kind: .cancelled, endpoint: endpoint, detail: "request cancelled while on the wire")
        default:
            return TransportError(kind: .io, endpoint: endpoint, detail: detail)
        }
    }
}
