import Foundation
import Logging
import SMSVoiceEmulator

/// `optout-sync emulator`: the local SMS Voice v2 emulator, for the demo and tests. Needs no
/// configuration file. Blocks (on its own thread, not the cooperative pool) until SIGINT/SIGTERM.
enum EmulatorCommand {
    static func run(_ cli: EmulatorOptions, logger: Logger) async -> ExitCode {
        var options = SMSVoiceEmulator.Options()
        options.port = cli.port
        options.region = cli.region
        options.account = cli.account
        options.credentials = cli.credentials.map {
            SMSVoiceEmulator.Credential(accessKeyID: $0.accessKeyID, secretAccessKey: $0.secretAccessKey, sessionToken: $0.sessionToken)
        }
        options.quotas = cli.quotas
        options.latencyMs = Double(cli.latency.components.seconds) * 1000 + Double(cli.latency.components.attoseconds) / 1e15
        options.faultRate = cli.faultRate
        options.seed = cli.seed ?? UInt64.random(in: 0...UInt64.max)
        options.stateFile = cli.stateFile
        let settings = options
        let code: Int32 = await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                do {
                    continuation.resume(returning: try runEmulatorCommand(options: settings, logger: logger))
                } catch {
                    FileHandle.standardError.write(Data("optout-sync: emulator: \(error)\n".utf8))
                    continuation.resume(returning: ExitCode.failure.rawValue)
                }
            }
        }
        return ExitCode(rawValue: code) ?? .failure
    }
}
