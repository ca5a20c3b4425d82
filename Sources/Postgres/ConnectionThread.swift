import Dispatch

/// The libpq connection handle. `@unchecked Sendable` because a `PGconn` is not thread-safe and
/// this type is only ever touched from its connection's serial `ConnectionThread`.
final class ConnectionHandle: @unchecked Sendable {
    var raw: OpaquePointer?
    init(_ raw: OpaquePointer?) { self.raw = raw }
}

/// A closure that runs on the connection thread while its caller is suspended waiting for it.
/// `@unchecked Sendable`: the caller does not run concurrently with the closure (it awaits the
/// result), so the non-Sendable captures are never shared between two threads at once.
private final class PendingWork<T>: @unchecked Sendable {
    var work: (() throws -> T)?
    init(_ work: @escaping () throws -> T) { self.work = work }

    /// Runs and then drops the closure, so `withoutActuallyEscaping` sees it released before the
    /// caller resumes.
    func run() -> Result<T, any Error> {
        let result = Result { try work!() }
        work = nil
        return result
    }
}

/// Where all blocking libpq calls of one connection happen: a serial DispatchQueue. Its worker
/// threads belong to Dispatch, not to Swift's cooperative pool, so a `PQexec` waiting on the
/// network never stalls async tasks. Callers suspend on a continuation until the work is done;
/// per-row callbacks (COPY) run here synchronously, with no async hop per row.
struct ConnectionThread: Sendable {
    let queue: DispatchQueue

    init(label: String) {
        queue = DispatchQueue(label: label, qos: .userInitiated)
    }

    func run<T: Sendable>(_ work: () throws -> T) async throws -> T {
        try await withoutActuallyEscaping(work) { escapable in
            let pending = PendingWork(escapable)
            return try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
                queue.async {
                    let result = pending.run()
                    continuation.resume(with: result)
                }
            }
        }
    }

    /// Fire-and-forget on the queue (used by `deinit`-time cleanup).
    func async(_ work: @escaping @Sendable () -> Void) {
        queue.async(execute: work)
    }
}
