import Foundation
import Logging
import Postgres
import Testing
import TestSupport

@Suite struct QueryTests {
    @Test func hostileValueIsStoredVerbatim() async throws {
        try await PostgresFixture.withDatabase { db in
            let conn = try await db.connect()
            try await conn.execute("CREATE TABLE t (v text)")
            let hostile = "O'Brien\"; '); DROP TABLE t; -- \\ $1 \u{1F600}"
            #expect(try await conn.execute("INSERT INTO t (v) VALUES (\(hostile))") == 1)
            let rows = try await conn.query("SELECT v FROM t WHERE v = \(hostile)")
            #expect(rows.count == 1)
            #expect(try rows[0].decode(String.self, column: "v") == hostile)
            // The table is still there and holds exactly that row.
            #expect(try await conn.query("SELECT count(*) AS n FROM t")[0].decode(Int.self, column: "n") == 1)
        }
    }

    @Test func typedDecodingRoundTrips() async throws {
        try await PostgresFixture.withDatabase { db in
            let conn = try await db.connect()
            let date = Date(timeIntervalSince1970: 1_780_000_000.123456)
            let noText: String? = nil
            let rows = try await conn.query("""
                SELECT \(Int64.max) AS big, \(true) AS yes, \(2.5) AS half, \(date) AS at, \(noText) AS missing,
                       \(["a", "b\"c", "d,e", "NULL"]) AS list, \(PostgresBytes([0, 1, 254, 255])) AS blob,
                       \(42) AS answer, '2024-02-29 23:59:59.5+05:30'::timestamptz AS india
                """)
            let row = try #require(rows.first)
            #expect(try row.decode(Int64.self, column: "big") == Int64.max)
            #expect(try row.decode(Bool.self, column: "yes"))
            #expect(try row.decode(Double.self, column: "half") == 2.5)
            let at = try row.decode(Date.self, column: "at")
            #expect(abs(at.timeIntervalSince1970 - date.timeIntervalSince1970) < 0.000_001)
            #expect(try row.decode(String?.self, column: "missing") == nil)
            #expect(try row.decode([String].self, column: "list") == ["a", "b\"c", "d,e", "NULL"])
            #expect(try row.decode(PostgresBytes.self, column: "blob").bytes == [0, 1, 254, 255])
            #expect(try row.decode(Int.self, at: 7) == 42)
            let india = try row.decode(Date.self, column: "india")
            #expect(india.timeIntervalSince1970 == 1_709_231_399.5)
        }
    }

    @Test func decodingErrorsNameTheColumn() async throws {
        try await PostgresFixture.withDatabase { db in
            let conn = try await db.connect()
            let row = try #require(try await conn.query("SELECT NULL::text AS nothing, '(206) 555-0100' AS phone").first)
            let nullError = #expect(throws: PostgresDecodingError.self) { try row.decode(String.self, column: "nothing") }
            #expect(nullError?.description == "cannot decode column \"nothing\" as String: the value is NULL")
            let parseError = #expect(throws: PostgresDecodingError.self) { try row.decode(Int64.self, column: "phone") }
            #expect(parseError?.reason == .invalidText)
            #expect(parseError?.description.contains("phone") == true)
            #expect(parseError?.description.contains("555-0100") == false)
            #expect(throws: PostgresDecodingError.self) { try row.decode(String.self, column: "absent") }
        }
    }

    @Test func unreferencedParametersNeedNoCast() async throws {
        try await PostgresFixture.withDatabase { db in
            let conn = try await db.connect()
            try await conn.execute("CREATE TABLE w (e164 text PRIMARY KEY)")
            // Like a configured write_back_sql that uses only $1 of ($1 text, $2 timestamptz, $3 text).
            let sql = SQL(unsafeSQL: "INSERT INTO w (e164) VALUES ($1) ON CONFLICT DO NOTHING",
                          binds: ["+12065550100".postgresBind, Date().postgresBind, "US".postgresBind])
            #expect(try await conn.execute(sql) == 1)
            #expect(try await conn.execute(sql) == 0)
        }
    }

    @Test func serverErrorsAreTyped() async throws {
        try await PostgresFixture.withDatabase { db in
            let conn = try await db.connect()
            try await conn.execute("CREATE TABLE u (e164 text PRIMARY KEY)")
            try await conn.execute("INSERT INTO u VALUES (\("+12065550100"))")
            let error = await #expect(throws: PostgresError.self) { try await conn.execute("INSERT INTO u VALUES (\("+12065550100"))") }
            #expect(error?.sqlState == "23505")
            #expect(error?.kind == .server)
            #expect(error?.operation == "execute")
            #expect(error?.detail?.contains("12065550100") == true)  // kept for the caller …
            #expect(error?.description.contains("12065550100") == false)  // … but never printed
            let bad = await #expect(throws: PostgresError.self) { try await conn.query("SELECT \("(206) 555-0100")::bigint") }
            #expect(bad?.sqlState == "22P02")
            #expect(bad?.description.contains("555-0100") == false)
            // The connection is still usable after errors.
            #expect(try await conn.query("SELECT 1 AS one")[0].decode(Int.self, column: "one") == 1)
        }
    }

    @Test func nulBytesAreRejectedBeforeTheServer() async throws {
        try await PostgresFixture.withDatabase { db in
            let conn = try await db.connect()
            let error = await #expect(throws: PostgresError.self) { try await conn.query("SELECT \("a\u{0}b") AS v") }
            #expect(error?.kind == .invalidArgument)
        }
    }

    @Test func transactionsCommitAndRollBack() async throws {
        try await PostgresFixture.withDatabase { db in
            let conn = try await db.connect()
            try await conn.execute("CREATE TABLE t (v int)")
            _ = try await conn.withTransaction { tx in try await tx.execute("INSERT INTO t VALUES (1)") }
            struct Boom: Error {}
            await #expect(throws: Boom.self) {
                try await conn.withTransaction { tx in
                    try await tx.execute("INSERT INTO t VALUES (2)")
                    throw Boom()
                }
            }
            #expect(try await conn.query("SELECT array_agg(v)::text[] AS vs FROM t")[0].decode([String].self, column: "vs") == ["1"])
        }
    }

    @Test func advisoryLocksExclude() async throws {
        try await PostgresFixture.withDatabase { db in
            let a = try await db.connect()
            let b = try await db.connect()
            let key = PostgresConnection.advisoryKey("test lock")
            let held = try await a.withAdvisoryLock(key: key) { try await b.tryAdvisoryLock(key: key) }
            #expect(held == false)
            #expect(try await b.tryAdvisoryLock(key: key))
            try await b.advisoryUnlock(key: key)
        }
    }

    @Test func connectionErrorsNeverShowThePassword() async throws {
        let server = try PostgresFixture.serverConninfo()
        let error = await #expect(throws: PostgresError.self) {
            _ = try await PostgresConnection.connect(
                conninfo: server + " password=hunter2secret dbname=does_not_exist_db", logger: .disabled)
        }
        #expect(error?.kind == .connection)
        #expect(error?.description.contains("hunter2secret") == false)
        #expect(error?.description.contains("does_not_exist_db") == true)
    }

    @Test func applicationNameIsSetUnlessGiven() async throws {
        try await PostgresFixture.withDatabase { db in
            let conn = try await db.connect()
            #expect(try await conn.query("SELECT current_setting('application_name') AS a")[0].decode(String.self, column: "a") == "optout-sync")
            let custom = try await PostgresConnection.connect(conninfo: db.conninfo + " application_name=mine", logger: .disabled)
            #expect(try await custom.query("SELECT current_setting('application_name') AS a")[0].decode(String.self, column: "a") == "mine")
        }
    }
}
