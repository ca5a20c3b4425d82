import Foundation
import Synchronization
import Logging
import Postgres
import Testing
import TestSupport

@Suite struct BackoffTests {
    @Test func ceilingDoublesUpToTheCap() {
        let backoff = Backoff(initial: .milliseconds(100), maximum: .seconds(2))
        #expect((0...6).map { backoff.ceiling(attempt: $0) } == [
            .milliseconds(100), .milliseconds(200), .milliseconds(400), .milliseconds(800), .milliseconds(1600), .seconds(2), .seconds(2),
        ])
        #expect(backoff.ceiling(attempt: 10_000) == .seconds(2))
    }

    @Test func fullJitterSpansZeroToTheCeiling() {
        let backoff = Backoff(initial: .milliseconds(100), maximum: .seconds(2))
        #expect(backoff.delay(attempt: 3, random: 0) == .zero)
        #expect(backoff.delay(attempt: 3, random: 0.5) == .milliseconds(400))
        #expect(backoff.delay(attempt: 3, random: 7) == .milliseconds(800))
    }
}

@Suite struct ReconnectTests {
    @Test func connectRetriesWithBackoffOnTheInjectedClock() async throws {
        let clock = ManualClock()
        let sink = MemorySink()
        let client = PostgresClient(
            conninfo: "host=127.0.0.1 port=1 user=nobody password=s3cr3tpw connect_timeout=2", logger: Logger(sink: sink, level: .debug),
            backoff: Backoff(initial: .seconds(1), maximum: .seconds(4)), maxAttempts: 4, clock: clock, random: { 0.5 })
        let finished = Atomic<Bool>(false)
        let attempt = Task {
            defer { finished.store(true, ordering: .sequentiallyConsistent) }
            return try await client.connection()
        }
        // Advance the clock whenever the client sleeps, until it gives up (no real-time waiting).
        var sleeps = 0
        while !finished.load(ordering: .sequentiallyConsistent) {
            if clock.sleeperCount > 0 {
                sleeps += 1
                clock.advance(by: .seconds(2))
            }
            await Task.yield()
        }
        #expect(sleeps == 3)
        let error = await #expect(throws: PostgresError.self) { try await attempt.value }
        #expect(error?.kind == .connection)
        let retries = sink.all.filter { $0.message == "postgres connect failed, retrying" }
        #expect(retries.map { $0.metadata["pg.retry_in_ms"] } == ["500", "1000", "2000"])
        #expect(!sink.all.contains { record in record.metadata.values.contains { $0.contains("s3cr3tpw") } })
    }

    /// Restarts a private throwaway server (not the shared one: tests of every suite use it in parallel).
    @Test func reconnectsAfterTheServerRestarts() async throws {
        _ = try PostgresFixture.serverConninfo()
        let server = try await PrivateServer.start()
        do {
            try await restartAndReconnect(server)
            try await server.stop()
        } catch {
            try? await server.stop()
            throw error
        }
    }

    func restartAndReconnect(_ server: PrivateServer) async throws {
        let sink = MemorySink()
        let client = PostgresClient(conninfo: server.conninfo, logger: Logger(sink: sink, level: .debug),
                                    backoff: Backoff(initial: .milliseconds(50), maximum: .seconds(1)), maxAttempts: 20)
        let firstPID = try await client.withConnection { try await $0.backendPID }
        try await server.restart()
        // The old session is gone; an idempotent body runs again on a fresh connection.
        let answer = try await client.withConnection(idempotent: true) { conn in
            try await conn.query("SELECT pg_backend_pid() AS pid, 42 AS answer")[0]
        }
        #expect(try answer.decode(Int.self, column: "answer") == 42)
        #expect(try answer.decode(Int32.self, column: "pid") != firstPID)
        #expect(sink.messages.contains("postgres connection lost, running again on a new connection"))
        await client.close()
    }
}

/// A throwaway cluster of its own, made by scripts/pg-throwaway.
///
/// Spawned with posix_spawn and reaped with waitpid on a plain thread, not with Foundation's
/// `Process`: the server daemon outlives the script and inherits Process's termination-watch
/// descriptor, so Process would never report the script's exit.
struct PrivateServer {
    let directory: String
    let conninfo: String
    static let script = TestEnvironment.packageRoot.appendingPathComponent("scripts/pg-throwaway").path

    static func start() async throws -> PrivateServer {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("pg-private-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: output) }
        try await run(["start"], output: output)
        var values: [String: String] = [:]
        for line in try String(contentsOfFile: output, encoding: .utf8).split(separator: "\n") where line.hasPrefix("export ") {
            let pair = line.dropFirst("export ".count).split(separator: "=", maxSplits: 1)
            values[String(pair[0])] = String(pair[1].dropFirst().dropLast())
        }
        return PrivateServer(directory: values["PG_THROWAWAY_DIR"]!, conninfo: values["PG_THROWAWAY_CONNINFO"]!)
    }

    func restart() async throws { try await Self.run(["restart", directory]) }
    func stop() async throws { try await Self.run(["stop", directory]) }

    struct ScriptFailed: Error { var status: Int32 }

    /// Runs scripts/pg-throwaway with stdout to `output`.
    static func run(_ arguments: [String], output: String = "/dev/null") async throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        let argv: [UnsafeMutablePointer<CChar>?] = ([script] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, script, &actions, nil, argv, environ)
        guard spawned == 0 else { throw ScriptFailed(status: spawned) }
        let child = pid
        let status: Int32 = await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                var status: Int32 = 0
                waitpid(child, &status, 0)
                continuation.resume(returning: status)
            }
        }
        guard status == 0 else { throw ScriptFailed(status: status) }
    }
}
