import Logging

/// Capped exponential backoff with full jitter: before retry `attempt` (0-based) wait a uniformly
/// random time in `[0, min(maximum, initial · 2^attempt))`. Pure; the caller supplies the random number.
public struct Backoff: Sendable, Equatable {
    public var initial: Duration
    public var maximum: Duration

    public init(initial: Duration = .milliseconds(200), maximum: Duration = .seconds(30)) {
        self.initial = initial
        self.maximum = maximum
    }

    /// The ceiling for retry `attempt` before jitter.
    public func ceiling(attempt: Int) -> Duration {
        var ceiling = initial
        for _ in 0..<max(0, attempt) {
            ceiling = ceiling * 2
            if ceiling >= maximum { return maximum }
        }
        return min(ceiling, maximum)
    }

    /// The delay before retry `attempt`, with `random` uniform in [0, 1).
    public func delay(attempt: Int, random: Double) -> Duration {
        ceiling(attempt: attempt) * min(max(random, 0), 1)
    }
}

/// A connection that comes back: hands out one `PostgresConnection`, and after a connection
/// problem (lost socket, server restart, `57P01` admin shutdown, …) opens a new one, retrying with
/// `Backoff` and sleeping through the injected clock. Each attempt is logged without the conninfo.
/// `onConnect` runs on every new connection (e.g. to `LISTEN` again).
public actor PostgresClient {
    public let conninfo: String
    let password: String?
    public let logger: Logger
    let connectTimeout: Duration
    let backoff: Backoff
    let maxAttempts: Int?
    let clock: any Clock<Duration>
    let random: @Sendable () -> Double
    let onConnect: (@Sendable (PostgresConnection) async throws -> Void)?

    private var current: PostgresConnection?
    private var connecting: Task<PostgresConnection, any Error>?

    /// - Parameter maxAttempts: connection attempts per `connection()` call; nil retries until the task is cancelled.
    public init(
        conninfo: String,
        password: String? = nil,
        logger: Logger,
        connectTimeout: Duration = .seconds(10),
        backoff: Backoff = Backoff(),
        maxAttempts: Int? = 10,
        clock: any Clock<Duration> = ContinuousClock(),
        random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) },
        onConnect: (@Sendable (PostgresConnection) async throws -> Void)? = nil
    ) {
        self.conninfo = conninfo
        self.password = password
        self.logger = logger
        self.connectTimeout = connectTimeout
        self.backoff = backoff
        self.maxAttempts = maxAttempts
        self.clock = clock
        self.random = random
        self.onConnect = onConnect
    }

    /// The current connection, or a new one (retrying connection problems with backoff).
    public func connection() async throws -> PostgresConnection {
        if let current { return current }
        if let connecting { return try await connecting.value }
        let task = Task { try await self.connectWithRetries() }
        connecting = task
        defer { connecting = nil }
        let connection = try await task.value
        current = connection
        return connection
    }

    /// Forgets `connection` if it is the current one, so the next call reconnects.
    public func discard(_ connection: PostgresConnection) async {
        guard current === connection else { return }
        current = nil
        await connection.close()
    }

    public func close() async {
        if let current { await current.close() }
        current = nil
    }

    /// Runs `body` with the connection. On a connection problem the connection is discarded; when
    /// `idempotent` is true `body` is then run again on a new connection (up to `maxAttempts` times
    /// in all), otherwise the error is rethrown and the next call reconnects.
    public func withConnection<T>(
        idempotent: Bool = false,
        isolation: isolated (any Actor)? = #isolation,
        _ body: (PostgresConnection) async throws -> T
    ) async throws -> T {
        var attempt = 0
        while true {
            let connection = try await connection()
            do {
                return try await body(connection)
            } catch let error as PostgresError where error.isConnectionProblem {
                await discard(connection)
                attempt += 1
                guard idempotent, attempt < (maxAttempts ?? Int.max) else { throw error }
                logger.warning("postgres connection lost, running again on a new connection",
                               ["pg.operation": error.operation, "pg.attempt": String(attempt), "error": error.description])
            }
        }
    }

    private func connectWithRetries() async throws -> PostgresConnection {
        var attempt = 0
        while true {
            do {
                let connection = try await PostgresConnection.connect(
                    conninfo: conninfo, password: password, logger: logger, connectTimeout: connectTimeout)
                try await onConnect?(connection)
                if attempt > 0 { logger.notice("postgres reconnected", ["pg.attempt": String(attempt + 1)]) }
                return connection
            } catch let error as PostgresError where error.isConnectionProblem {
                attempt += 1
                if let maxAttempts, attempt >= maxAttempts { throw error }
                let delay = backoff.delay(attempt: attempt - 1, random: random())
                logger.warning("postgres connect failed, retrying", [
                    "pg.attempt": String(attempt), "pg.retry_in_ms": String(delay.milliseconds), "error": error.description,
                ])
                try await clock.sleep(for: delay)
            }
        }
    }
}

extension Duration {
    var milliseconds: Int64 { components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000 }
}
