import Foundation

/// Entry point of the `optout-sync` executable (placeholder until the CLI lands).
public enum CommandLineTool {
    public static func main(arguments: [String]) async -> Never {
        FileHandle.standardError.write(Data("optout-sync: not implemented yet\n".utf8))
        exit(1)
    }
}
