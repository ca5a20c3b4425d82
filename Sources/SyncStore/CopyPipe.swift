import Foundation
import Postgres

/// Streams `COPY … TO STDOUT` of one connection into `COPY … FROM STDIN` of another, through a
/// small bounded queue between the two connection threads: memory stays flat whatever the table
/// size, and nothing crosses the cooperative pool per row. `transform` runs on the reader's
/// connection thread, one batch at a time, while the writer writes the previous batch
/// (normalisation uses it to parse in parallel: parsing and writing overlap).
public enum CopyPipe {
    public typealias Row = [String?]

    @discardableResult
    public static func run(
        from source: PostgresConnection, _ copyOut: SQL,
        to sink: PostgresConnection, _ copyIn: SQL,
        batchSize: Int = 8192,
        transform: @escaping @Sendable ([Row]) throws -> [Row] = { $0 }
    ) async throws -> (read: Int, written: Int) {
        let queue = BatchQueue(capacity: 4)
        // The queue is failed whenever the sink stops early, also when its COPY never started
        // (a missing table): the reader would otherwise wait forever on a full queue.
        async let written: Int = {
            do {
                return try await sink.copyIn(copyIn) { writer in
                    while let batch = try queue.pop() {
                        for row in batch { try writer.appendRow(row) }
                    }
                }
            } catch {
                queue.fail(error)
                throw error
            }
        }()
        let read: Int
        do {
            var buffer: [Row] = []
            buffer.reserveCapacity(batchSize)
            read = try await source.copyOut(copyOut) { row in
                buffer.append(row.fields)
                if buffer.count >= batchSize {
                    try queue.push(transform(buffer))
                    buffer.removeAll(keepingCapacity: true)
                }
            }
            if !buffer.isEmpty { try queue.push(transform(buffer)) }
            queue.close()
        } catch {
            queue.fail(error)
            _ = try? await written
            throw error
        }
        return (read, try await written)
    }
}

/// A bounded FIFO of row batches between two threads (both dedicated connection threads, so
/// blocking here never stalls the cooperative pool). Either side can fail it to stop the other.
final class BatchQueue: @unchecked Sendable {
    // @unchecked: every field is guarded by `condition`.
    private let condition = NSCondition()
    private var batches: [[CopyPipe.Row]] = []
    private var closed = false
    private var failure: (any Error)?
    private let capacity: Int

    init(capacity: Int) { self.capacity = capacity }

    func push(_ batch: [CopyPipe.Row]) throws {
        condition.lock()
        defer { condition.unlock() }
        while batches.count >= capacity && failure == nil { condition.wait() }
        if let failure { throw failure }
        batches.append(batch)
        condition.broadcast()
    }

    /// The next batch; nil once closed and drained.
    func pop() throws -> [CopyPipe.Row]? {
        condition.lock()
        defer { condition.unlock() }
        while batches.isEmpty && !closed && failure == nil { condition.wait() }
        if let failure { throw failure }
        if batches.isEmpty { return nil }
        let batch = batches.removeFirst()
        condition.broadcast()
        return batch
    }

    func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }

    func fail(_ error: any Error) {
        condition.lock()
        if failure == nil { failure = error }
        condition.broadcast()
        condition.unlock()
    }
}
