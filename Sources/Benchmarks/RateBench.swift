import AWS
import Foundation
import Synchronization

/// `Benchmarks rate-limiter [seconds] [--adaptive-only]`: the rate limiter on the real clock.
/// 1. Configured rate R ∈ {10, 100, 1000}/s, a fake endpoint answering in 50 ms, max_in_flight 64, 128 callers
///    from two BUs: the achieved rate over `seconds` (default 30) after a 1 s warm-up.
/// 2. Adaptive mode against a simulated server quota Q = 100/s (a server-side token bucket, 1 s deep) with the
///    client configured at 2Q: the accepted rate as a fraction of Q and the share of requests throttled.
enum RateBench {
    static let latency = Duration.milliseconds(50)

    struct Throttled: RetryClassifiable {
        var retryClass: RetryClass { .throttling }
    }

    /// The simulated service's quota: a token bucket the client cannot see.
    final class ServerQuota: Sendable {
        private struct Bucket { var tokens: Double; var last: ContinuousClock.Instant }
        private let bucket: Mutex<Bucket>
        let rate: Double

        init(rate: Double) {
            self.rate = rate
            bucket = Mutex(Bucket(tokens: rate, last: .now))
        }

        func admit() -> Bool {
            bucket.withLock { b in
                let now = ContinuousClock.now
                b.tokens = min(rate, b.tokens + (now - b.last).inSeconds * rate)
                b.last = now
                guard b.tokens >= 1 else { return false }
                b.tokens -= 1
                return true
            }
        }
    }

    struct Counts {
        var sent = 0, accepted = 0, throttled = 0

        static func + (a: Counts, b: Counts) -> Counts {
            Counts(sent: a.sent + b.sent, accepted: a.accepted + b.accepted, throttled: a.throttled + b.throttled)
        }
    }

    final class Tally: Sendable {
        private let perSecond: Mutex<[Counts]>
        init(seconds: Int) { perSecond = Mutex([Counts](repeating: Counts(), count: seconds)) }

        func count(second: Int, admitted: Bool) {
            perSecond.withLock { counts in
                counts[second].sent += 1
                if admitted { counts[second].accepted += 1 } else { counts[second].throttled += 1 }
            }
        }

        var counts: [Counts] { perSecond.withLock { $0 } }
    }

    /// Callers loop acquire → 50 ms request → complete for `seconds`; returns what was sent in each second.
    static func drive(limiter: RateLimiter, key: RateLimitKey, callers: Int, server: ServerQuota?, seconds: Int) async -> [Counts] {
        let perSecond = Tally(seconds: seconds)
        let transport = InMemoryTransport { _ in
            try await Task.sleep(for: latency)
            return HTTPResponse(status: 200)
        }
        let request = HTTPRequest(method: "POST", url: URL(string: "http://127.0.0.1/")!)
        let start = ContinuousClock.now
        let end = start + .seconds(seconds)
        await withTaskGroup(of: Void.self) { group in
            for caller in 0..<callers {
                group.addTask {
                    while ContinuousClock.now < end {
                        do {
                            try await limiter.run(key: key, lane: .backfill, bu: caller % 2 == 0 ? "cards" : "loans") {
                                let second = Int((ContinuousClock.now - start).inSeconds)
                                let admitted = server?.admit() ?? true
                                _ = try await transport.send(request, timeout: .seconds(5))
                                if second < seconds {
                                    perSecond.count(second: second, admitted: admitted)
                                }
                                if !admitted { throw Throttled() }
                            }
                        } catch {}
                    }
                }
            }
            // Callers still queued at the end give up (acquire is cancellation-aware).
            try? await Task.sleep(until: end)
            group.cancelAll()
        }
        return perSecond.counts
    }

    static func limiter(rate: Double) -> (RateLimiter, RateLimitKey) {
        let key = RateLimitKey(account: "bench", region: "local-1", operation: "PutOptedOutNumber")
        let limiter = RateLimiter(
            configuration: RateLimitConfiguration(rates: [key.operation: rate], maxInFlight: 64, adaptive: true),
            clock: ContinuousClock()
        )
        return (limiter, key)
    }

    static func run(arguments: [String]) async {
        let seconds = arguments.first.flatMap(Int.init) ?? 30
        let warmUp = 1
        print("Fixed rate: fake endpoint with 50 ms latency, max_in_flight 64, 128 callers in two BUs;")
        print("requests sent per second over \(seconds) s after a \(warmUp) s warm-up.")
        print("")
        print("| configured R (/s) | achieved (/s) | achieved / R |")
        print("|---:|---:|---:|")
        for rate in [10.0, 100, 1000] where !arguments.contains("--adaptive-only") {
            let (limiter, key) = limiter(rate: rate)
            let counts = await drive(limiter: limiter, key: key, callers: 128, server: nil, seconds: seconds + warmUp)
            let achieved = Double(counts.dropFirst(warmUp).reduce(Counts(), +).sent) / Double(seconds)
            print("| \(Int(rate)) | \(format(achieved)) | \(format(achieved / rate, digits: 3)) |")
        }

        let quota = 100.0
        let adaptiveSeconds = 2 * seconds
        print("")
        print("Adaptive: client configured at 2Q = \(Int(2 * quota))/s against a simulated server quota Q = \(Int(quota))/s")
        print("(server token bucket 1 s deep), 50 ms latency, \(adaptiveSeconds) s; accepted = not throttled.")
        print("")
        let (limiter, key) = limiter(rate: 2 * quota)
        let counts = await drive(limiter: limiter, key: key, callers: 128, server: ServerQuota(rate: quota), seconds: adaptiveSeconds)
        print("| window | sent (/s) | accepted (/s) | accepted / Q | throttled |")
        print("|---|---:|---:|---:|---:|")
        for (label, window) in [("whole run", counts[...]), ("after 10 s warm-up", counts.dropFirst(10))] {
            let total = window.reduce(Counts(), +)
            let span = Double(window.count)
            print("| \(label) | \(format(Double(total.sent) / span)) | \(format(Double(total.accepted) / span)) | "
                + "\(format(Double(total.accepted) / span / quota, digits: 3)) | "
                + "\(format(100 * Double(total.throttled) / Double(max(total.sent, 1)), digits: 2)) % |")
        }
        let trace = stride(from: 0, to: counts.count, by: 5).map { i -> String in
            let slice = counts[i..<min(i + 5, counts.count)].reduce(Counts(), +)
            return "\(format(Double(slice.accepted) / Double(min(5, counts.count - i)), digits: 0))/\(slice.throttled)"
        }
        print("")
        print("accepted/s and throttled count per 5 s: " + trace.joined(separator: " "))
        print("final adaptive rate: \(format(limiter.snapshot(for: key).rate)) /s")
    }

    static func format(_ value: Double, digits: Int = 1) -> String { String(format: "%.\(digits)f", value) }
}
