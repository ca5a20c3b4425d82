import CLI

// The composition root lives in the CLI module; this file only hands it argv.
CommandLineTool.main(arguments: Array(CommandLine.arguments.dropFirst()))
