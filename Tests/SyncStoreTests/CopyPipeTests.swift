import Postgres
import SyncStore
import Testing
import TestSupport

/// `CopyPipe` between two real connections: values survive byte for byte, and a failure on either
/// side ends the pipe with an error instead of leaving the other thread waiting.
@Suite struct CopyPipeTests {
    static let awkward: [String?] = [
        "plain", "", nil, "\\N", "it's \"quoted\"", "back\\slash", "tab\there", "new\nline", "carriage\rreturn",
        "\\t literally", "trailing\\", "ünïcödé ☎", "\u{1}control", String(repeating: "x", count: 10_000),
    ]

    @Test func awkwardValuesSurviveThePipe() async throws {
        try await PostgresFixture.withDatabase { db in
            let source = try await db.connect(), sink = try await db.connect()
            try await source.execute("CREATE TABLE src (id int, v text)")
            try await source.execute("CREATE TABLE dst (id int, v text)")
            for (id, value) in Self.awkward.enumerated() {
                try await source.execute("INSERT INTO src VALUES (\(id), \(value))")
            }
            let counts = try await CopyPipe.run(from: source, "COPY src TO STDOUT", to: sink, "COPY dst FROM STDIN", batchSize: 3)
            #expect(counts.read == Self.awkward.count && counts.written == Self.awkward.count)
            let rows = try await source.query("SELECT v FROM dst ORDER BY id").map { try $0.decode(String?.self, at: 0) }
            #expect(rows == Self.awkward)
            let same = try await source.query("SELECT count(*)::bigint FROM src s JOIN dst d ON d.id = s.id AND d.v IS NOT DISTINCT FROM s.v")
            #expect(try same[0].decode(Int64.self, at: 0) == Int64(Self.awkward.count))
            await source.close()
            await sink.close()
        }
    }

    @Test func transformSeesBatchesAndItsRowsAreWritten() async throws {
        try await PostgresFixture.withDatabase { db in
            let source = try await db.connect(), sink = try await db.connect()
            try await source.execute("CREATE TABLE dst (n int, doubled text)")
            let counts = try await CopyPipe.run(
                from: source, "COPY (SELECT g FROM generate_series(1, 10000) g) TO STDOUT",
                to: sink, "COPY dst FROM STDIN", batchSize: 512,
                transform: { rows in
                    precondition(rows.count <= 512)
                    return rows.map { [$0[0], String(Int($0[0]!)! * 2)] }
                })
            #expect(counts == (read: 10_000, written: 10_000))
            let check = try await source.query("SELECT count(*)::bigint, sum(doubled::int - 2 * n)::bigint FROM dst")
            #expect(try check[0].decode(Int64.self, at: 0) == 10_000 && check[0].decode(Int64.self, at: 1) == 0)
            await source.close()
            await sink.close()
        }
    }

    /// COPY into a table that does not exist: the sink never starts, and the reader (which would
    /// fill the bounded queue after a few batches) must stop with the sink's error.
    @Test func sinkThatCannotStartFailsThePipe() async throws {
        try await PostgresFixture.withDatabase { db in
            let source = try await db.connect(), sink = try await db.connect()
            let error = await #expect(throws: PostgresError.self) {
                try await CopyPipe.run(from: source, "COPY (SELECT g FROM generate_series(1, 200000) g) TO STDOUT",
                                       to: sink, "COPY missing_table FROM STDIN", batchSize: 100)
            }
            #expect(error?.sqlState == "42P01")
            // Both connections are usable afterwards.
            #expect(try await source.query("SELECT 1")[0].decode(Int.self, at: 0) == 1)
            #expect(try await sink.query("SELECT 1")[0].decode(Int.self, at: 0) == 1)
            await source.close()
            await sink.close()
        }
    }

    @Test func sinkFailingMidStreamFailsThePipeAndStoresNothing() async throws {
        try await PostgresFixture.withDatabase { db in
            let source = try await db.connect(), sink = try await db.connect()
            try await source.execute("CREATE TABLE dst (n int CHECK (n < 50000))")
            let error = await #expect(throws: PostgresError.self) {
                try await CopyPipe.run(from: source, "COPY (SELECT g FROM generate_series(1, 200000) g) TO STDOUT",
                                       to: sink, "COPY dst FROM STDIN", batchSize: 100)
            }
            #expect(error?.sqlState == "23514")
            #expect(try await source.query("SELECT count(*)::bigint FROM dst")[0].decode(Int64.self, at: 0) == 0)
            await source.close()
            await sink.close()
        }
    }

    struct TransformFailed: Error {}

    @Test func throwingTransformOrFailingSourceFailsThePipe() async throws {
        try await PostgresFixture.withDatabase { db in
            let source = try await db.connect(), sink = try await db.connect()
            try await source.execute("CREATE TABLE dst (n int)")
            await #expect(throws: TransformFailed.self) {
                try await CopyPipe.run(from: source, "COPY (SELECT g FROM generate_series(1, 200000) g) TO STDOUT",
                                       to: sink, "COPY dst FROM STDIN", batchSize: 100, transform: { _ in throw TransformFailed() })
            }
            let missing = await #expect(throws: PostgresError.self) {
                try await CopyPipe.run(from: source, "COPY missing_source TO STDOUT", to: sink, "COPY dst FROM STDIN")
            }
            #expect(missing?.sqlState == "42P01")
            // The query fails after rows were sent: division by zero at row 100,000.
            let late = await #expect(throws: PostgresError.self) {
                try await CopyPipe.run(from: source, "COPY (SELECT 1 / (100000 - g) FROM generate_series(1, 200000) g) TO STDOUT",
                                       to: sink, "COPY dst FROM STDIN", batchSize: 100)
            }
            #expect(late?.sqlState == "22012")
            #expect(try await sink.query("SELECT count(*)::bigint FROM dst")[0].decode(Int64.self, at: 0) == 0)
            await source.close()
            await sink.close()
        }
    }
}
