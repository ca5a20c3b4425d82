import Foundation

// One subcommand per benchmark that needs a Swift process; scripts/bench/* call them.
let arguments = Array(CommandLine.arguments.dropFirst())
switch arguments.first {
case "emulator-server":
    exit(try runEmulatorServer(Array(CommandLine.arguments.dropFirst(2))))
case "normalize":
    try NormalizeBench.run(Array(CommandLine.arguments.dropFirst(2)))
case "aws-client":
    await ClientBench.main(Array(CommandLine.arguments.dropFirst(2)))
    exit(try runEmulatorServer(Array(arguments.dropFirst())))
case "rate-limiter":
    await RateBench.run(arguments: Array(arguments.dropFirst()))
default:
    print("benchmarks: see scripts/bench/")
}
