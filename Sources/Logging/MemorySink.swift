import Synchronization

/// Keeps records in memory; for tests and for capturing a command's log.
public final class MemorySink: LogSink {
    private let records = Mutex<[LogRecord]>([])

    public init() {}

    public func write(_ record: LogRecord) {
        records.withLock { $0.append(record) }
    }

    public var all: [LogRecord] { records.withLock { $0 } }
    public var messages: [String] { all.map(\.message) }
}
