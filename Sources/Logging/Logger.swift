import Foundation

/// Severity, in the order of `--log-level` (spec/cli.md).
public enum LogLevel: Int, Sendable, Comparable, CaseIterable, CustomStringConvertible {
    case trace, debug, info, notice, warning, error

    public init?(name: String) {
        guard let level = LogLevel.allCases.first(where: { $0.description == name.lowercased() }) else { return nil }
        self = level
    }

    public var description: String {
        switch self {
        case .trace: "trace"
        case .debug: "debug"
        case .info: "info"
        case .notice: "notice"
        case .warning: "warning"
        case .error: "error"
        }
    }

    public static func < (a: LogLevel, b: LogLevel) -> Bool { a.rawValue < b.rawValue }
}

/// One log event. Messages are constant; data goes in dotted metadata keys
/// (`bu`, `aws.operation`, `aws.request_id`, `pg.sqlstate`, ...).
public struct LogRecord: Sendable {
    public var timestamp: Date
    public var level: LogLevel
    public var message: String
    public var metadata: [String: String]

    public init(timestamp: Date, level: LogLevel, message: String, metadata: [String: String]) {
        self.timestamp = timestamp
        self.level = level
        self.message = message
        self.metadata = metadata
    }
}

/// Where records go. Implementations must be thread-safe.
public protocol LogSink: Sendable {
    func write(_ record: LogRecord)
}

/// A value-type logger passed to whoever logs (no global logger).
/// Phone numbers must go through `PhoneMask.mask` before they reach metadata.
public struct Logger: Sendable {
    public var level: LogLevel
    public var metadata: [String: String]
    public let sink: any LogSink

    public init(sink: any LogSink, level: LogLevel = .info, metadata: [String: String] = [:]) {
        self.sink = sink
        self.level = level
        self.metadata = metadata
    }

    /// A logger that drops everything (for code paths where logging is not wanted).
    public static var disabled: Logger { Logger(sink: NullSink(), level: .error) }

    /// A copy with one more metadata entry, e.g. `logger.with("bu", "cards")`.
    public func with(_ key: String, _ value: String) -> Logger {
        var copy = self
        copy.metadata[key] = value
        return copy
    }

    public func log(_ level: LogLevel, _ message: @autoclosure () -> String, _ metadata: [String: String] = [:]) {
        guard level >= self.level else { return }
        var merged = self.metadata
        for (key, value) in metadata { merged[key] = value }
        sink.write(LogRecord(timestamp: Date(), level: level, message: message(), metadata: merged))
    }

    public func trace(_ message: @autoclosure () -> String, _ metadata: [String: String] = [:]) { log(.trace, message(), metadata) }
    public func debug(_ message: @autoclosure () -> String, _ metadata: [String: String] = [:]) { log(.debug, message(), metadata) }
    public func info(_ message: @autoclosure () -> String, _ metadata: [String: String] = [:]) { log(.info, message(), metadata) }
    public func notice(_ message: @autoclosure () -> String, _ metadata: [String: String] = [:]) { log(.notice, message(), metadata) }
    public func warning(_ message: @autoclosure () -> String, _ metadata: [String: String] = [:]) { log(.warning, message(), metadata) }
    public func error(_ message: @autoclosure () -> String, _ metadata: [String: String] = [:]) { log(.error, message(), metadata) }
}

struct NullSink: LogSink {
    func write(_ record: LogRecord) {}
}
