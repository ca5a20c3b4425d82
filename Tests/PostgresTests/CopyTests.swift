import Foundation
import Postgres
import Testing
import TestSupport

@Suite struct CopyTests {
    /// Deterministic awkward values: quotes, tabs, newlines, backslashes, `\N` lookalikes, unicode, NULLs.
    static func value(_ i: Int) -> String? {
        switch i % 7 {
        case 0: nil
        case 1: "plain \(i)"
        case 2: "tab\there\nnewline\r\\back\\slash \(i)"
        case 3: "\\N"
        case 4: "O'Brien \"quoted\"; DROP TABLE t; -- \(i)"
        case 5: ""
        default: "ünïcødé ☎︎ \(i)"
        }
    }

    @Test func hundredThousandRowsBothWays() async throws {
        try await PostgresFixture.withDatabase { db in
            let conn = try await db.connect()
            let rowCount = 100_000
            try await conn.execute("CREATE TABLE t (id bigint PRIMARY KEY, v text, k text NOT NULL)")
            let stored = try await conn.copyIn("COPY t (id, v, k) FROM STDIN") { writer in
                for i in 0..<rowCount {
                    writer.append(Int64(i) - 50_000)
                    try writer.append(Self.value(i))
                    try writer.append("k\(i)")
                    try writer.endRow()
                }
            }
            #expect(stored == rowCount)
            // The server holds the values exactly (checked through ordinary bound queries).
            for i in [0, 2, 3, 4, 5, 6, 99_999] {
                let row = try #require(try await conn.query("SELECT v FROM t WHERE id = \(Int64(i) - 50_000)").first)
                #expect(try row.decode(String?.self, column: "v") == Self.value(i))
            }
            #expect(try await conn.query("SELECT count(*) FILTER (WHERE v IS NULL) AS n FROM t")[0].decode(Int.self, column: "n") == (rowCount + 6) / 7)

            var seen = 0
            var mismatches = 0
            let read = try await conn.copyOut("COPY (SELECT id, v, k FROM t ORDER BY id) TO STDOUT") { row in
                let i = Int(row.int64(0)!) + 50_000
                if row.count != 3 || i != seen || row.string(1) != Self.value(i) || row.string(2) != "k\(i)" || row.isNull(1) != (Self.value(i) == nil) {
                    mismatches += 1
                }
                seen += 1
            }
            #expect(read == rowCount)
            #expect(seen == rowCount)
            #expect(mismatches == 0)
        }
    }

    @Test func copyRowDecodesTypes() async throws {
        try await PostgresFixture.withDatabase { db in
            let conn = try await db.connect()
            var rows: [[String?]] = []
            var decoded: (Bool, Date, Int?)?
            var errors: [PostgresDecodingError.Reason] = []
            try await conn.copyOut("COPY (SELECT true, '2026-12-03 10:00:00+00'::timestamptz, NULL::int, 'x') TO STDOUT") { row in
                decoded = (try row.decode(Bool.self, at: 0), try row.decode(Date.self, at: 1), try row.decode(Int?.self, at: 2))
                for index in [2, 3, 4] {
                    do { _ = try row.decode(Int.self, at: index) } catch let error as PostgresDecodingError { errors.append(error.reason) }
                }
                rows.append(row.fields)
            }
            #expect(decoded?.0 == true)
            #expect(decoded?.1.timeIntervalSince1970 == 1_796_292_000)
            #expect(decoded?.2 == nil)
            #expect(errors == [.unexpectedNull, .invalidText, .noSuchColumn])
            #expect(rows == [["t", "2026-12-03 10:00:00+00", nil, "x"]])
        }
    }

    @Test func abortedCopiesLeaveTheConnectionUsable() async throws {
        try await PostgresFixture.withDatabase { db in
            let conn = try await db.connect()
            struct Stop: Error {}
            try await conn.execute("CREATE TABLE t (v int)")
            await #expect(throws: Stop.self) {
                try await conn.copyIn("COPY t FROM STDIN") { writer in
                    for i in 0..<100_000 { writer.append(i); try writer.endRow() }
                    throw Stop()
                }
            }
            #expect(try await conn.query("SELECT count(*) AS n FROM t")[0].decode(Int.self, column: "n") == 0)
            var rows = 0
            await #expect(throws: Stop.self) {
                try await conn.copyOut("COPY (SELECT g FROM generate_series(1, 5000000) g) TO STDOUT") { _ in
                    rows += 1
                    if rows == 10 { throw Stop() }
                }
            }
            #expect(rows == 10)
            #expect(try await conn.query("SELECT 1 AS one")[0].decode(Int.self, column: "one") == 1)
            let error = await #expect(throws: PostgresError.self) { try await conn.copyIn("COPY missing FROM STDIN") { _ in } }
            #expect(error?.sqlState == "42P01")
            #expect(try await conn.query("SELECT 2 AS two")[0].decode(Int.self, column: "two") == 2)
        }
    }
}
