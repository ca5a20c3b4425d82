import Foundation

// One subcommand per benchmark that needs a Swift process; scripts/bench/* call them.
switch CommandLine.arguments.dropFirst().first {
case "emulator-server":
    exit(try runEmulatorServer(Array(CommandLine.arguments.dropFirst(2))))
case "copy": exit(try await runCopyBench(Array(CommandLine.arguments.dropFirst(2))))
default:
    print("benchmarks: see scripts/bench/")
}
