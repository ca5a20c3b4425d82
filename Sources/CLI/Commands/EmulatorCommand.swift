import Foundation
import Logging
import SMSVoiceEmulator

/// `optout-sync emulator`: the SMS Voice v2 emulator (module SMSVoiceEmulator) until SIGINT/SIGTERM.
enum EmulatorCommand {
    /// `runEmulatorCommand` blocks its thread in `sigwait`, so it gets a thread of its own, never one
    /// of the cooperative pool.
    static func run(_ options: EmulatorOptions, logger: Logger, console: Console) async -> ExitCode {
        await withCheckedContinuation { continuation in
            let thread = Thread {
                do {
                    let status = try runEmulatorCommand(options: options, logger: logger)
                    continuation.resume(returning: ExitCode(rawValue: status) ?? .failure)
                } catch {
                    console.err("optout-sync: emulator failed: \(error)\n")
                    continuation.resume(returning: ExitCode(for: error))
                }
            }
            thread.name = "optout-sync.emulator"
            thread.start()
        }
    }

    /// Blocks SIGINT and SIGTERM in the calling thread (and the threads it starts later).
    static func blockTerminationSignals() {
        var signals = sigset_t()
        sigemptyset(&signals)
        sigaddset(&signals, SIGINT)
        sigaddset(&signals, SIGTERM)
        pthread_sigmask(SIG_BLOCK, &signals, nil)
    }
}
