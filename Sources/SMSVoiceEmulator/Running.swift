import Foundation
import HTTPServer
import Logging
import Synchronization

/// Starting points for the CLI and tests.
public enum SMSVoiceEmulator {
    // The enum shares the module's name, so `SMSVoiceEmulator.X` finds the enum's members first; these
    // aliases let a module with its own `EmulatorOptions` (the CLI) still name ours.
    public typealias Options = EmulatorOptions
    public typealias Credential = EmulatorCredential

    /// Starts the emulator on `options.host:options.port` (port 0 picks a free one).
    public static func start(options: EmulatorOptions, logger: Logger = .disabled) throws -> RunningEmulator {
        let emulator = try Emulator(options: options, logger: logger)
        let server = HTTPServer(host: options.host, port: options.port, maxRequestBytes: options.maxRequestBytes) { request in
            emulator.handle(request)
        }
        let port = try server.start()
        let running = RunningEmulator(emulator: emulator, server: server, port: port)
        logger.info("emulator listening", ["url": running.url.absoluteString, "region": options.region,
                                           "state_file": options.stateFile ?? "none"])
        return running
    }
}

/// A started emulator. `stop()` closes every connection and saves the state file.
public final class RunningEmulator: Sendable {
    public let emulator: Emulator
    public let server: HTTPServer
    public let port: UInt16
    private let saverStop = Atomic<Bool>(false)
    private let saverDone = DispatchSemaphore(value: 0)

    init(emulator: Emulator, server: HTTPServer, port: UInt16) {
        self.emulator = emulator
        self.server = server
        self.port = port
        if emulator.options.stateFile != nil {
            // Saves at most once a second on its own thread, so requests never wait for the disk.
            Thread { [self] in
                while !saverStop.load(ordering: .relaxed) {
                    usleep(1_000_000)
                    if emulator.dirty.load(ordering: .relaxed) {
                        do { try emulator.save() } catch {
                            emulator.logger.error("could not save the emulator state file", ["error": "\(error)"])
                        }
                    }
                }
                saverDone.signal()
            }.start()
        }
    }

    public var url: URL { URL(string: "http://\(emulator.options.host):\(port)")! }

    public func stop() {
        server.stop()
        if emulator.options.stateFile != nil {
            saverStop.store(true, ordering: .relaxed)
            saverDone.wait()
            do { try emulator.save() } catch {
                emulator.logger.error("could not save the emulator state file", ["error": "\(error)"])
            }
        }
    }
}

/// `optout-sync emulator`: starts, prints `listening on http://HOST:PORT` as the first stdout line,
/// and blocks the calling thread until SIGINT or SIGTERM, then stops cleanly. Returns the exit code.
/// Call it from a plain thread (e.g. synchronous main), not from a task on the cooperative pool.
public func runEmulatorCommand(options: EmulatorOptions, logger: Logger = .disabled) throws -> Int32 {
    // Block the signals before any thread starts, so every thread inherits the mask and sigwait gets them.
    var signals = sigset_t()
    sigemptyset(&signals)
    sigaddset(&signals, SIGINT)
    sigaddset(&signals, SIGTERM)
    pthread_sigmask(SIG_BLOCK, &signals, nil)
    let running = try SMSVoiceEmulator.start(options: options, logger: logger)
    FileHandle.standardOutput.write(Data("listening on \(running.url.absoluteString)\n".utf8))
    var received: Int32 = 0
    sigwait(&signals, &received)
    logger.info("emulator stopping", ["signal": received == SIGINT ? "SIGINT" : "SIGTERM"])
    running.stop()
    return 0
}
