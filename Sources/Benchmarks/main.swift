import Foundation

// One subcommand per benchmark that needs a Swift process; scripts/bench/* call them.
let arguments = Array(CommandLine.arguments.dropFirst())
switch arguments.first {
case "emulator-server":
    exit(try runEmulatorServer(Array(arguments.dropFirst())))
case "normalize":
    try NormalizeBench.run(Array(arguments.dropFirst()))
case "aws-client":
    await ClientBench.main(Array(arguments.dropFirst()))
case "rate-limiter":
    await RateBench.run(arguments: Array(arguments.dropFirst()))
case "copy":
    exit(try await runCopyBench(Array(arguments.dropFirst())))
case "snapshot":
    exit(try await SnapshotBench.run(Array(arguments.dropFirst())))
default:
    print("benchmarks: see scripts/bench/")
}
