import AWS
import Foundation
import HTTPServer
import Logging
import SMSVoiceEmulator
import Synchronization

/// `Benchmarks aws-client [--requests N] [--in-flight N] [--latency-ms N] [--server emulator|plain]`
///
/// Signed `PutOptedOutNumber` calls through `SMSVoiceClient` + `CurlTransport` against a loopback
/// server that answers every request after a fixed latency, with no quota: the SMS Voice emulator
/// (verifies each signature, validates, stores) or a plain HTTPServer with a canned answer.
/// Reports requests per second against the ceiling in-flight / latency, and the TCP connections
/// the server accepted.
enum ClientBench {
    final class Counters: Sendable {
        let issued = Atomic<Int>(0)
        let failures = Atomic<Int>(0)
    }

    static func main(_ arguments: [String]) async -> Never {
        func option(_ name: String, _ fallback: Int) -> Int {
            guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count, let value = Int(arguments[index + 1]) else { return fallback }
            return value
        }
        let total = option("--requests", 8_000)
        let inFlight = option("--in-flight", 64)
        let latencyMs = option("--latency-ms", 50)

        let useEmulator = !arguments.contains("plain")
        let server: HTTPServer
        let port: UInt16
        do {
            if useEmulator {
                var options = EmulatorOptions()
                options.latencyMs = Double(latencyMs)
                let emulator = try SMSVoiceEmulator.start(options: options)
                server = emulator.server
                port = emulator.port
            } else {
                let answer = Array(#"{"OptOutListArn":"arn:aws:sms-voice:us-east-1:123456789012:opt-out-list/Default","OptOutListName":"Default","OptedOutNumber":"+12065550100","OptedOutTimestamp":1764763200,"EndUserOptedOut":false}"#.utf8)
                server = HTTPServer { request in
                    guard request.header("authorization") != nil else { return HTTPServerResponse(status: 403, text: "unsigned") }
                    usleep(UInt32(latencyMs * 1000))
                    return HTTPServerResponse(status: 200, headers: [("Content-Type", "application/x-amz-json-1.0"), ("x-amzn-RequestId", "bench")], body: answer)
                }
                port = try server.start()
            }
        } catch {
            print("aws-client bench: cannot start the loopback server: \(error)")
            exit(1)
        }
        let transport = CurlTransport(maxInFlight: inFlight)
        let client = SMSVoiceClient(endpoint: URL(string: "http://127.0.0.1:\(port)")!, region: "us-east-1",
                                    credentials: StaticCredentialProvider(Credentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")), transport: transport, logger: .disabled)

        let counters = Counters()
        let clock = ContinuousClock()
        let start = clock.now
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<inFlight {
                group.addTask {
                    while case let n = counters.issued.wrappingAdd(1, ordering: .relaxed).newValue, n <= total {
                        do {
                            _ = try await client.putOptedOutNumber(listName: "Default", number: "+1206555\(String(format: "%04d", n % 10_000))")
                        } catch {
                            counters.failures.wrappingAdd(1, ordering: .relaxed)
                        }
                    }
                }
            }
        }
        let elapsed = start.duration(to: clock.now)
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let rate = Double(total) / seconds
        let ceiling = Double(inFlight) / (Double(latencyMs) / 1000)
        let connections = server.acceptedConnections
        server.stop()
        print("aws-client (\(useEmulator ? "emulator" : "plain") server): " + String(format: "%d signed PutOptedOutNumber in %.2f s = %.0f requests/s (ceiling %.0f = %d in flight / %d ms, %.1f%%); failures %d; TCP connections accepted %d (limit %d)",
                     total, seconds, rate, ceiling, inFlight, latencyMs, 100 * rate / ceiling, counters.failures.load(ordering: .relaxed), connections, inFlight))
        let ok = counters.failures.load(ordering: .relaxed) == 0 && connections <= inFlight
        exit(ok ? 0 : 1)
    }
}
