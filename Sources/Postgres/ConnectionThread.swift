import Foundation

/// The libpq connection handle. `@unchecked Sendable` because a `PGconn` is not thread-safe and
/// this type is only ever touched from its connection's `ConnectionThread`.
final class ConnectionHandle: @unchecked Sendable {
    var raw: OpaquePointer?
    init(_ raw: OpaquePointer?) { self.raw = raw }
}

/// A closure that runs on the connection thread while its caller is suspended waiting for it.
/// `@unchecked Sendable`: the caller does not run concurrently with the closure (it awaits the
/// result), so the non-Sendable captures are never used by two threads at once.
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

/// Where all blocking libpq calls of one connection happen: one dedicated OS thread per
/// connection, fed by a job queue. Not Swift's cooperative pool (a blocked `PQexec` would stall
/// async tasks) and not Dispatch's shared pool either: on Linux that pool is sized to the cores,
/// so two connections blocked on a lock or in `poll` would starve every other connection.
/// Callers suspend on a continuation until their job is done; per-row callbacks (COPY) run here
/// synchronously, with no async hop per row.
///
/// `@unchecked Sendable`: `jobs` and `stopping` are only touched with `condition` locked.
final class ConnectionThread: @unchecked Sendable {
    private let condition = NSCondition()
    private var jobs: [@Sendable () -> Void] = []
    private var stopping = false

    init(name: String) {
        let thread = Thread { [self] in loop() }
        thread.name = name
        thread.stackSize = 1 << 20
        thread.start()
    }

    /// Runs `work` on the thread and returns its result; the caller is suspended meanwhile.
    func run<T: Sendable>(_ work: () throws -> T) async throws -> T {
        try await withoutActuallyEscaping(work) { escapable in
            let pending = PendingWork(escapable)
            return try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
                submit {
                    let result = pending.run()
                    continuation.resume(with: result)
                }
            }
        }
    }

    /// Queues a job without waiting for it.
    func submit(_ job: @escaping @Sendable () -> Void) {
        condition.lock()
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    /// Lets the thread finish the queued jobs and exit.
    func stop() {
        condition.lock()
        stopping = true
        condition.signal()
        condition.unlock()
    }

    private func loop() {
        while true {
            condition.lock()
            while jobs.isEmpty && !stopping { condition.wait() }
            if jobs.isEmpty {
                condition.unlock()
                return
            }
            let job = jobs.removeFirst()
            condition.unlock()
            job()
        }
    }
}
