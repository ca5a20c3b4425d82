let arguments = Array(CommandLine.arguments.dropFirst())
switch arguments.first {
case "rate-limiter": await RateBench.run(arguments: Array(arguments.dropFirst()))
default: print("benchmarks: see scripts/bench/")
}
