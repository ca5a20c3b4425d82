if CommandLine.arguments.dropFirst().first == "aws-client" { await ClientBench.main(Array(CommandLine.arguments.dropFirst(2))) }
print("benchmarks: see scripts/bench/")
