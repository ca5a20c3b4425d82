import CLibPQ
import Foundation
import Logging

/// One PostgreSQL connection (one `PGconn`).
///
/// Every libpq call runs on the connection's own serial queue (`ConnectionThread`), never on
/// Swift's cooperative pool. Calls from several tasks are serialised, but a connection is meant to
/// be used by one task at a time: statements of another task would land inside your transaction.
public final class PostgresConnection: Sendable {
    let thread: ConnectionThread
    let handle: ConnectionHandle
    let notices: NoticeSink
    /// A self-pipe that interrupts `poll` in `waitForNotification` (cancellation): read end, write end.
    let wakePipe: (read: Int32, write: Int32)
    public let logger: Logger

    private init(thread: ConnectionThread, handle: ConnectionHandle, notices: NoticeSink, wakePipe: (read: Int32, write: Int32), logger: Logger) {
        self.thread = thread
        self.handle = handle
        self.notices = notices
        self.wakePipe = wakePipe
        self.logger = logger
    }

    deinit {
        let handle = handle
        let pipe = wakePipe
        thread.submit {
            if let raw = handle.raw { PQfinish(raw) }
            handle.raw = nil
            Glibc.close(pipe.read)
            Glibc.close(pipe.write)
        }
        thread.stop()
    }

    /// Connects with a libpq conninfo string (`host=… dbname=…`) or URI (`postgresql://…`).
    /// Empty fields fall back to libpq's `PG*` environment variables and `.pgpass` as usual.
    /// `application_name=optout-sync`, `connect_timeout` and `client_encoding=UTF8` are added unless
    /// the conninfo (or `PGAPPNAME` / `PGCONNECT_TIMEOUT`) already sets them.
    /// `password` (e.g. read from a configured password file) is passed as libpq's `password`
    /// keyword, after the conninfo, so it wins over a password in the conninfo; it never appears in
    /// argv, the environment or a log line.
    public static func connect(conninfo: String, password: String? = nil, logger: Logger,
                               connectTimeout: Duration = .seconds(10)) async throws -> PostgresConnection {
        let thread = ConnectionThread(name: "optout-sync.postgres")
        let notices = NoticeSink(logger: logger)
        let environment = ProcessInfo.processInfo.environment
        var keywords: [String] = ["client_encoding"]
        var values: [String] = ["UTF8"]
        if environment["PGAPPNAME"] == nil {
            keywords.append("application_name")
            values.append("optout-sync")
        }
        if environment["PGCONNECT_TIMEOUT"] == nil {
            keywords.append("connect_timeout")
            values.append(String(max(2, connectTimeout.components.seconds)))
        }
        // Last: keywords are processed in order and the expanded conninfo wins over the ones above.
        keywords.append("dbname")
        values.append(conninfo)
        if let password {
            keywords.append("password")
            values.append(password)
        }

        let opened: UncheckedPointer
        do {
            opened = try await thread.run {
                let conn = withCStringArray(keywords) { k in withCStringArray(values) { v in PQconnectdbParams(k, v, 1) } }
                guard let conn else {
                    throw PostgresError(kind: .connection, operation: "connect", message: "libpq could not allocate a connection")
                }
                guard PQstatus(conn) == CONNECTION_OK else {
                    let message = errorMessage(conn)
                    PQfinish(conn)
                    throw PostgresError(kind: .connection, operation: "connect", message: message)
                }
                PQsetNoticeProcessor(conn, noticeProcessor, Unmanaged.passUnretained(notices).toOpaque())
                // Dates come back in the one text format PostgresTimestamp parses.
                let result = PQexec(conn, "SET DateStyle = 'ISO, MDY'")
                defer { PQclear(result) }
                guard PQresultStatus(result) == PGRES_COMMAND_OK else {
                    let error = makeError(conn, result, operation: "connect")
                    PQfinish(conn)
                    throw error
                }
                return UncheckedPointer(conn)
            }
        } catch {
            thread.stop()
            throw error
        }
        let raw = opened.pointer
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else {
            _ = try? await thread.run { PQfinish(raw) }
            thread.stop()
            throw PostgresError(kind: .connection, operation: "connect", message: "pipe failed (errno \(errno))")
        }
        for fd in fds {
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        }
        let connection = PostgresConnection(
            thread: thread, handle: ConnectionHandle(raw), notices: notices, wakePipe: (fds[0], fds[1]), logger: logger)
        logger.debug("postgres connected", ["pg.backend_pid": String(await connection.backendPID)])
        return connection
    }

    /// Closes the connection; later calls fail with a `.connection` error.
    public func close() async {
        let handle = handle
        _ = try? await thread.run {
            if let raw = handle.raw { PQfinish(raw) }
            handle.raw = nil
        }
    }

    /// False once the connection is closed or libpq has noticed it is broken.
    public var isHealthy: Bool {
        get async {
            let handle = handle
            return (try? await thread.run { handle.raw.map { PQstatus($0) == CONNECTION_OK } ?? false }) ?? false
        }
    }

    /// The server process id of this session (0 when closed).
    public var backendPID: Int32 {
        get async {
            let handle = handle
            return (try? await thread.run { handle.raw.map { PQbackendPID($0) } ?? 0 }) ?? 0
        }
    }

    /// Runs a statement with bound parameters and returns all rows (for small results; use
    /// `copyOut` to stream big ones).
    public func query(_ sql: SQL) async throws -> [PostgresRow] {
        try await withConnection(operation: "query") { conn in
            let result = try execParams(conn, sql, operation: "query")
            defer { PQclear(result) }
            return rows(of: result)
        }
    }

    /// Runs a statement with bound parameters; returns the number of rows it affected.
    @discardableResult
    public func execute(_ sql: SQL) async throws -> Int {
        try await withConnection(operation: "execute") { conn in
            let result = try execParams(conn, sql, operation: "execute")
            defer { PQclear(result) }
            return Int(String(cString: PQcmdTuples(result))) ?? 0
        }
    }

    /// Runs SQL text without parameters through the simple query protocol: several statements
    /// separated by `;` are allowed (migrations, `BEGIN`/`COMMIT`). Never interpolate data here.
    public func executeScript(_ text: String, operation: String = "execute script") async throws {
        try await withConnection(operation: operation) { conn in
            try rejectNUL(in: text, operation: operation)
            var last: OpaquePointer? = nil
            var failure: PostgresError?
            guard PQsendQuery(conn, text) == 1 else { throw makeError(conn, nil, operation: operation) }
            while let result = PQgetResult(conn) {
                let status = PQresultStatus(result)
                if failure == nil && status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK && status != PGRES_EMPTY_QUERY {
                    failure = makeError(conn, result, operation: operation)
                }
                PQclear(last)
                last = result
            }
            PQclear(last)
            if let failure { throw failure }
        }
    }

    /// Runs `body` inside `BEGIN … COMMIT`; any error rolls back and is rethrown.
    public func withTransaction<T>(
        isolation: isolated (any Actor)? = #isolation,
        _ body: (PostgresConnection) async throws -> T
    ) async throws -> T {
        try await executeScript("BEGIN", operation: "begin")
        do {
            let value = try await body(self)
            try await executeScript("COMMIT", operation: "commit")
            return value
        } catch {
            try? await executeScript("ROLLBACK", operation: "rollback")
            throw error
        }
    }

    /// Takes a transaction-level advisory lock (`pg_advisory_xact_lock`), waiting for it; released at
    /// commit or rollback. Call inside `withTransaction`.
    public func advisoryTransactionLock(key: Int64) async throws {
        try await execute("SELECT pg_advisory_xact_lock(\(key))")
    }

    /// Runs `body` holding a session-level advisory lock (`pg_advisory_lock`), then unlocks.
    public func withAdvisoryLock<T>(
        key: Int64,
        isolation: isolated (any Actor)? = #isolation,
        _ body: () async throws -> T
    ) async throws -> T {
        try await execute("SELECT pg_advisory_lock(\(key))")
        do {
            let value = try await body()
            try await execute("SELECT pg_advisory_unlock(\(key))")
            return value
        } catch {
            _ = try? await execute("SELECT pg_advisory_unlock(\(key))")
            throw error
        }
    }

    /// Tries a session-level advisory lock without waiting; true when taken (release with `advisoryUnlock`).
    public func tryAdvisoryLock(key: Int64) async throws -> Bool {
        try await query("SELECT pg_try_advisory_lock(\(key))").first?.decode(Bool.self, at: 0) ?? false
    }

    public func advisoryUnlock(key: Int64) async throws {
        try await execute("SELECT pg_advisory_unlock(\(key))")
    }

    /// A stable 64-bit advisory-lock key for a name (FNV-1a; the same in every process and version).
    public static func advisoryKey(_ name: String) -> Int64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in name.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return Int64(bitPattern: hash)
    }

    /// Runs `work` with the live PGconn on the connection thread.
    func withConnection<T: Sendable>(operation: String, _ work: (OpaquePointer) throws -> T) async throws -> T {
        let handle = handle
        return try await thread.run {
            guard let conn = handle.raw else {
                throw PostgresError(kind: .connection, operation: operation, message: "connection is closed")
            }
            return try work(conn)
        }
    }
}

/// An `OpaquePointer` carried out of the connection thread once, right after it was created.
/// `@unchecked Sendable`: ownership moves to `ConnectionHandle`; nobody else touches it.
private struct UncheckedPointer: @unchecked Sendable {
    let pointer: OpaquePointer
    init(_ pointer: OpaquePointer) { self.pointer = pointer }
}

/// Receives server notices (e.g. "schema already exists, skipping") and logs them at debug level
/// instead of libpq's default of printing to stderr.
final class NoticeSink: Sendable {
    let logger: Logger
    init(logger: Logger) { self.logger = logger }
}

private let noticeProcessor: PQnoticeProcessor = { argument, message in
    guard let argument, let message else { return }
    let sink = Unmanaged<NoticeSink>.fromOpaque(argument).takeUnretainedValue()
    let text = String(cString: message).trimmingCharacters(in: .whitespacesAndNewlines)
    sink.logger.debug("postgres notice", ["pg.notice": Redaction.maskDigits(Redaction.redact(text))])
}

// MARK: - libpq helpers (run on the connection thread)

func withCStringArray<R>(_ strings: [String], _ body: (UnsafePointer<UnsafePointer<CChar>?>) -> R) -> R {
    let pointers: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) } + [nil]
    defer { for p in pointers { free(p) } }
    return pointers.map { UnsafePointer($0) }.withUnsafeBufferPointer { body($0.baseAddress!) }
}

func errorMessage(_ conn: OpaquePointer) -> String {
    String(cString: PQerrorMessage(conn)).trimmingCharacters(in: .whitespacesAndNewlines)
}

/// A typed error from a failed result (or from the connection when there is no result).
func makeError(_ conn: OpaquePointer, _ result: OpaquePointer?, operation: String) -> PostgresError {
    func field(_ code: Character) -> String? {
        guard let result, let value = PQresultErrorField(result, Int32(code.asciiValue!)) else { return nil }
        return String(cString: value)
    }
    if let sqlState = field("C") {
        return PostgresError(
            kind: sqlState.hasPrefix("08") ? .connection : .server, operation: operation, sqlState: sqlState,
            message: field("M") ?? errorMessage(conn), detail: field("D"), hint: field("H"))
    }
    let kind: PostgresError.Kind = PQstatus(conn) == CONNECTION_OK ? .protocolViolation : .connection
    let message = errorMessage(conn)
    return PostgresError(kind: kind, operation: operation, message: message.isEmpty ? "no result from the server" : message)
}

/// libpq takes C strings, so a NUL would silently cut the statement short: refuse it instead.
func rejectNUL(in text: String, operation: String) throws {
    guard !text.utf8.contains(0) else {
        throw PostgresError(kind: .invalidArgument, operation: operation, message: "statement contains a NUL byte")
    }
}

/// `PQexecParams` with text-format parameters and explicit types; checks the result status.
func execParams(_ conn: OpaquePointer, _ sql: SQL, operation: String) throws -> OpaquePointer {
    try rejectNUL(in: sql.text, operation: operation)
    for (n, bind) in sql.binds.enumerated() where bind.text?.utf8.contains(0) == true {
        throw PostgresError(kind: .invalidArgument, operation: operation, message: "parameter $\(n + 1) contains a NUL byte, which PostgreSQL text cannot hold")
    }
    let types = sql.binds.map { Oid($0.type.rawValue) }
    let cValues: [UnsafeMutablePointer<CChar>?] = sql.binds.map { $0.text.map { strdup($0) } ?? nil }
    defer { for p in cValues { free(p) } }
    let result = cValues.map { UnsafePointer($0) }.withUnsafeBufferPointer { values in
        types.withUnsafeBufferPointer { types in
            PQexecParams(conn, sql.text, Int32(sql.binds.count), types.baseAddress, values.baseAddress, nil, nil, 0)
        }
    }
    let status = PQresultStatus(result)
    guard let result, status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK else {
        let error = makeError(conn, result, operation: operation)
        PQclear(result)
        throw error
    }
    return result
}

func rows(of result: OpaquePointer) -> [PostgresRow] {
    let columnCount = Int(PQnfields(result))
    let rowCount = Int(PQntuples(result))
    let columns = PostgresColumns(
        names: (0..<columnCount).map { String(cString: PQfname(result, Int32($0))) },
        types: (0..<columnCount).map { PostgresType(rawValue: UInt32(PQftype(result, Int32($0)))) })
    var rows: [PostgresRow] = []
    rows.reserveCapacity(rowCount)
    for r in 0..<Int32(rowCount) {
        var values: [String?] = []
        values.reserveCapacity(columnCount)
        for c in 0..<Int32(columnCount) {
            values.append(PQgetisnull(result, r, c) == 1 ? nil : String(cString: PQgetvalue(result, r, c)))
        }
        rows.append(PostgresRow(columns: columns, values: values))
    }
    return rows
}
