import Configuration
import Foundation
import Postgres

/// A BU's legacy table as found in its database: the columns the configuration names exist, and
/// how a row is located (primary key, else `ctid`). Reading the catalog first turns a typo in the
/// configuration into an error that names the BU, the table and the column.
public struct LegacyTable: Sendable {
    public let businessUnit: String
    public let config: LegacyTableConfig
    public let name: PostgresQualifiedName
    /// Primary key columns in key order; empty when the table has none (rows are located by ctid).
    public let primaryKey: [String]
    /// Column name → SQL type (`format_type`).
    public let columns: [String: String]

    public struct Error: Swift.Error, Sendable, CustomStringConvertible {
        public var businessUnit: String
        public var table: String
        public var column: String?
        public var configKey: String
        public var message: String

        public var description: String {
            var text = "business unit \(businessUnit): legacy table \(table)"
            if let column { text += ", column \(column)" }
            return text + ": \(message) (\(configKey))"
        }
    }

    /// Reads the table's columns and primary key; throws `LegacyTable.Error` when the table or a
    /// configured column is missing.
    public static func inspect(_ config: LegacyTableConfig, businessUnit: String, on connection: PostgresConnection) async throws -> LegacyTable {
        let name = config.table
        let exists = try await connection.query("SELECT to_regclass(\(name.quoted)) IS NOT NULL")
        guard try exists.first?.decode(Bool.self, at: 0) == true else {
            throw Error(businessUnit: businessUnit, table: config.table.description, column: nil,
                        configKey: "legacy.table", message: "no such table (or no privilege to see it)")
        }
        var columns: [String: String] = [:]
        for row in try await connection.query("""
            SELECT attname::text, format_type(atttypid, atttypmod) FROM pg_attribute
            WHERE attrelid = \(name.quoted)::regclass AND attnum > 0 AND NOT attisdropped
            """) {
            columns[try row.decode(String.self, at: 0)] = try row.decode(String.self, at: 1)
        }
        var wanted: [(String, String)] = [(config.phoneColumn, "legacy.phone_column")]
        if let c = config.regionColumn { wanted.append((c, "legacy.region_column")) }
        if let c = config.changedAtColumn { wanted.append((c, "legacy.changed_at_column")) }
        if let log = config.eventLog {
            wanted.append((log.timeColumn, "legacy.event_log.time_column"))
            wanted.append((log.statusColumn, "legacy.event_log.status_column"))
        }
        for (column, key) in wanted where columns[column] == nil {
            throw Error(businessUnit: businessUnit, table: config.table.description, column: column,
                        configKey: key, message: "no such column (columns are case-sensitive as written)")
        }
        let key = try await connection.query("""
            SELECT a.attname::text FROM pg_index i
            JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
            WHERE i.indrelid = \(name.quoted)::regclass AND i.indisprimary
            ORDER BY array_position(i.indkey::int2[], a.attnum)
            """).map { try $0.decode(String.self, at: 0) }
        return LegacyTable(businessUnit: businessUnit, config: config, name: name, primaryKey: key, columns: columns)
    }

    /// `(col)::text`, `ROW(a, b)::text` or `ctid::text`: what identifies a row in reports.
    var locatorExpression: String {
        switch primaryKey.count {
        case 0: "ctid::text"
        case 1: "(\(quoteIdentifier(primaryKey[0])))::text"
        default: "ROW(\(primaryKey.map(quoteIdentifier).joined(separator: ", ")))::text"
        }
    }

    /// An expression giving the row's time as timestamptz, for timestamps, dates or epoch seconds.
    func timeExpression(_ column: String) -> String {
        let type = columns[column] ?? ""
        let quoted = quoteIdentifier(column)
        if ["integer", "bigint", "smallint", "numeric", "double precision", "real"].contains(where: type.hasPrefix) {
            return "to_timestamp(\(quoted))"
        }
        return "(\(quoted))::timestamptz"
    }

    /// The `COPY … TO STDOUT` that reads the opted-out rows (or the events) in one consistent read:
    /// locator, raw phone value, effective region, [event time, event status].
    /// COPY takes no bind parameters: only quoted identifiers, the operator's own predicate, and
    /// the BU's default region (validated `[A-Z]{2}` at config load, quoted as a literal) go in.
    func snapshotCopySQL(defaultRegion: String) -> SQL {
        var select = "\(locatorExpression), \(phoneExpression), \(regionExpression(defaultRegion: defaultRegion))"
        if let log = config.eventLog {
            select += ", \(timeExpression(log.timeColumn)), (\(quoteIdentifier(log.statusColumn)))::text"
        }
        return SQL(unsafeSQL: "COPY (SELECT \(select) FROM \(name.quoted)\(whereClause)) TO STDOUT")
    }

    private var phoneExpression: String { "(\(quoteIdentifier(config.phoneColumn)))::text" }

    /// The row's region column, trimmed and upper-cased, blank or NULL meaning the BU's default.
    private func regionExpression(defaultRegion: String) -> String {
        guard let column = config.regionColumn else { return quoteLiteral(defaultRegion) }
        return "coalesce(nullif(upper(btrim((\(quoteIdentifier(column)))::text)), ''), \(quoteLiteral(defaultRegion)))"
    }

    private var whereClause: String { config.optedOutWhere.map { " WHERE (\($0))" } ?? "" }

    /// A sample of the rows the predicate selects, for `check`: raw phone value and effective region.
    public struct Sample: Sendable {
        public var rows: [(raw: String?, region: String)]
        /// How the rows were chosen, for people (`LIMIT 10000 …` or `TABLESAMPLE SYSTEM (…)`).
        public var method: String
    }

    /// At most `maxRows` rows the predicate selects. A table the statistics estimate at more than
    /// `maxRows` rows is sampled by blocks (`TABLESAMPLE SYSTEM`, sized from `pg_class.reltuples`,
    /// twice over to allow for the predicate, capped by `LIMIT`); a smaller or never-analysed one is
    /// read from the start (`LIMIT`), which covers all of it when it is small.
    public func sample(maxRows: Int, defaultRegion: String, on connection: PostgresConnection) async throws -> Sample {
        let estimate = try await connection.query("SELECT reltuples::float8 FROM pg_class WHERE oid = \(name.quoted)::regclass")
            .first?.decode(Double.self, at: 0) ?? -1
        let percent = estimate > Double(maxRows) ? min(100, 200 * Double(maxRows) / estimate) : nil
        let sampling = percent.map { " TABLESAMPLE SYSTEM (\($0))" } ?? ""
        let rows = try await connection.query("""
            SELECT \(unsafeRaw: phoneExpression), \(unsafeRaw: regionExpression(defaultRegion: defaultRegion))
            FROM \(name)\(unsafeRaw: sampling)\(unsafeRaw: whereClause) LIMIT \(maxRows)
            """).map { (raw: try $0.decode(String?.self, at: 0), region: try $0.decode(String.self, at: 1)) }
        let method: String
        if let percent {
            method = "TABLESAMPLE SYSTEM (\(String(format: "%.2g", percent))%) of ~\(Int(estimate)) rows, LIMIT \(maxRows)"
        } else if rows.count < maxRows {
            method = "all rows the predicate selects"
        } else {
            method = "LIMIT \(maxRows): the first rows in table order"
        }
        return Sample(rows: rows, method: method)
    }
}

/// A SQL string literal for the few values COPY statements must carry inline.
func quoteLiteral(_ value: String) -> String {
    "'" + value.replacingOccurrences(of: "'", with: "''") + "'"
}
