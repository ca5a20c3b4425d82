if CommandLine.arguments.dropFirst().first == "normalize" { try NormalizeBench.run(Array(CommandLine.arguments.dropFirst(2))) }
print("benchmarks: see scripts/bench/")
