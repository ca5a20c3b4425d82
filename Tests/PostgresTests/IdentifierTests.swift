import Postgres
import Testing
import TestSupport

@Suite struct IdentifierTests {
    @Test func quoteIdentifierDoublesQuotes() {
        #expect(quoteIdentifier("StopList") == "\"StopList\"")
        #expect(quoteIdentifier("we\"ird") == "\"we\"\"ird\"")
    }

    @Test func qualifiedNamesFollowPostgresRules() throws {
        #expect(try PostgresQualifiedName(parsing: "Marketing.StopList") == .init(schema: "marketing", name: "stoplist"))
        #expect(try PostgresQualifiedName(parsing: "\"Marketing\".\"StopList\"") == .init(schema: "Marketing", name: "StopList"))
        #expect(try PostgresQualifiedName(parsing: "\"a.b\".\"c\"\"d\"") == .init(schema: "a.b", name: "c\"d"))
        #expect(try PostgresQualifiedName(parsing: "optouts") == .init(schema: nil, name: "optouts"))
        #expect(try PostgresQualifiedName(parsing: " public . \"T\" ") == .init(schema: "public", name: "T"))
        for bad in ["", "a.", ".b", "a.b.c", "\"open", "\"\".t", "a b"] {
            #expect(throws: PostgresQualifiedName.ParseError.self, "\(bad)") { try PostgresQualifiedName(parsing: bad) }
        }
        #expect(try PostgresQualifiedName(parsing: "\"Marketing\".\"StopList\"").quoted == "\"Marketing\".\"StopList\"")
    }

    @Test func mixedCaseAndQuotedNamesWorkOnTheServer() async throws {
        try await PostgresFixture.withDatabase { db in
            let conn = try await db.connect()
            let table = try PostgresQualifiedName(parsing: "\"Marketing \"\"EU\"\"\".\"Stop.List\"")
            try await conn.execute("CREATE SCHEMA \(identifier: table.schema!)")
            try await conn.execute("CREATE TABLE \(table) (\(identifier: "Phone") text)")
            try await conn.execute("INSERT INTO \(table) (\(identifier: "Phone")) VALUES (\("x"))")
            let rows = try await conn.query("""
                SELECT n.nspname AS schema, c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE c.relname = \(table.name)
                """)
            #expect(try rows.map { try $0.decode(String.self, column: "schema") } == ["Marketing \"EU\""])
            #expect(try await conn.query("SELECT \(identifier: "Phone") FROM \(table)")[0].decode(String.self, column: "Phone") == "x")
        }
    }
}
