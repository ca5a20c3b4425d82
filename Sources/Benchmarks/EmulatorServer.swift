import Foundation
import SMSVoiceEmulator

/// `Benchmarks emulator-server [--port N]`: the emulator with no latency, no quota and no faults,
/// for scripts/bench/emulator (until `optout-sync emulator` is wired into the CLI).
func runEmulatorServer(_ arguments: [String]) throws -> Int32 {
    var options = EmulatorOptions()
    if let index = arguments.firstIndex(of: "--port"), index + 1 < arguments.count, let port = UInt16(arguments[index + 1]) {
        options.port = port
    }
    return try runEmulatorCommand(options: options)
}
