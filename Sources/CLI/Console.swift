import Foundation
import Synchronization

/// Where a command writes its output: standard output for results, standard error for messages.
/// Injected so tests can run commands in-process and read what they printed.
public struct Console: Sendable {
    public let writeOut: @Sendable (String) -> Void
    public let writeErr: @Sendable (String) -> Void
    /// Whether standard output is a terminal (progress bars, tables with colour...).
    public let isTerminal: Bool

    public init(isTerminal: Bool, writeOut: @escaping @Sendable (String) -> Void, writeErr: @escaping @Sendable (String) -> Void) {
        self.isTerminal = isTerminal
        self.writeOut = writeOut
        self.writeErr = writeErr
    }

    public func out(_ text: String) { writeOut(text) }
    public func err(_ text: String) { writeErr(text) }

    /// The process's standard output and error.
    public static var standard: Console {
        Console(isTerminal: isatty(1) == 1,
                writeOut: { FileHandle.standardOutput.write(Data($0.utf8)) },
                writeErr: { FileHandle.standardError.write(Data($0.utf8)) })
    }

    /// A console that keeps what was written; for tests.
    public static func capturing() -> (Console, CapturedOutput) {
        let captured = CapturedOutput()
        let console = Console(isTerminal: false,
                              writeOut: { text in captured.out.withLock { $0 += text } },
                              writeErr: { text in captured.err.withLock { $0 += text } })
        return (console, captured)
    }
}

/// What a capturing console received.
public final class CapturedOutput: Sendable {
    let out = Mutex("")
    let err = Mutex("")
    public var standardOutput: String { out.withLock { $0 } }
    public var standardError: String { err.withLock { $0 } }
}
