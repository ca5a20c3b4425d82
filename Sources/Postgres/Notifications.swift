import CLibPQ
import Foundation
import Synchronization

/// One `NOTIFY` received on a channel this connection listens to.
public struct PostgresNotification: Sendable, Equatable {
    public var channel: String
    public var payload: String
    /// Server process id of the notifying session.
    public var senderPID: Int32
}

extension PostgresConnection {
    /// `LISTEN` on a channel (quoted, so the name is used exactly).
    public func listen(_ channel: String) async throws {
        try await execute("LISTEN \(identifier: channel)")
    }

    public func unlisten(_ channel: String) async throws {
        try await execute("UNLISTEN \(identifier: channel)")
    }

    /// `pg_notify(channel, payload)`; delivered at commit when inside a transaction.
    public func notify(_ channel: String, payload: String = "") async throws {
        try await execute("SELECT pg_notify(\(channel), \(payload))")
    }

    /// Waits for the next notification, sleeping in `poll` on the connection's socket (no busy
    /// polling); nil when `timeout` passes first. Notifications that arrived during other
    /// statements are returned first. Task cancellation wakes the wait and throws CancellationError.
    public func waitForNotification(timeout: Duration) async throws -> PostgresNotification? {
        let cancelled = CancellationFlag()
        let wake = wakePipe
        return try await withTaskCancellationHandler {
            try await withConnection(operation: "wait for notification") { conn in
                try waitOnThread(conn, timeout: timeout, cancelled: cancelled, wakeFD: wake.read)
            }
        } onCancel: {
            cancelled.set()
            var byte: UInt8 = 1
            _ = Glibc.write(wake.write, &byte, 1)
        }
    }
}

private final class CancellationFlag: Sendable {
    private let value = Atomic<Bool>(false)
    func set() { value.store(true, ordering: .sequentiallyConsistent) }
    var isSet: Bool { value.load(ordering: .sequentiallyConsistent) }
}

private func waitOnThread(_ conn: OpaquePointer, timeout: Duration, cancelled: CancellationFlag, wakeFD: Int32) throws -> PostgresNotification? {
    let deadline = ContinuousClock.now + timeout
    while true {
        guard PQconsumeInput(conn) == 1 else { throw makeError(conn, nil, operation: "wait for notification") }
        if let raw = PQnotifies(conn) {
            defer { PQfreemem(raw) }
            let n = raw.pointee
            return PostgresNotification(channel: String(cString: n.relname), payload: String(cString: n.extra), senderPID: n.be_pid)
        }
        if cancelled.isSet { throw CancellationError() }
        let remaining = ContinuousClock.now.duration(to: deadline)
        if remaining <= .zero { return nil }
        let socket = PQsocket(conn)
        guard socket >= 0 else { throw PostgresError(kind: .connection, operation: "wait for notification", message: "connection has no socket") }
        var fds = [pollfd(fd: socket, events: Int16(POLLIN), revents: 0), pollfd(fd: wakeFD, events: Int16(POLLIN), revents: 0)]
        let milliseconds = Int32(clamping: remaining.milliseconds + 1)
        let ready = poll(&fds, 2, milliseconds)
        if ready < 0 && errno != EINTR {
            throw PostgresError(kind: .connection, operation: "wait for notification", message: "poll failed (errno \(errno))")
        }
        if fds[1].revents != 0 {
            var sink = [UInt8](repeating: 0, count: 64)
            while read(wakeFD, &sink, sink.count) > 0 {}
        }
    }
}
