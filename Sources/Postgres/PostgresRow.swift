/// Column names and types of one result, shared by its rows.
public final class PostgresColumns: Sendable {
    public let names: [String]
    public let types: [PostgresType]
    let indexByName: [String: Int]

    init(names: [String], types: [PostgresType]) {
        self.names = names
        self.types = types
        var index: [String: Int] = [:]
        for (i, name) in names.enumerated() where index[name] == nil { index[name] = i }
        self.indexByName = index
    }
}

/// One row of a query result, values in PostgreSQL's text format.
public struct PostgresRow: Sendable {
    public let columns: PostgresColumns
    /// Text values; nil is SQL NULL.
    public let values: [String?]

    init(columns: PostgresColumns, values: [String?]) {
        self.columns = columns
        self.values = values
    }

    /// The value of a non-nullable column: a NULL or unparsable value throws an error that names
    /// the column and the wanted type.
    public func decode<T: PostgresDecodable>(_ type: T.Type = T.self, column: String) throws(PostgresDecodingError) -> T {
        try decode(type, at: index(of: column, wanted: T.self))
    }

    /// The value of a nullable column: NULL becomes nil.
    public func decode<T: PostgresDecodable>(_ type: T?.Type = T?.self, column: String) throws(PostgresDecodingError) -> T? {
        try decode(type, at: index(of: column, wanted: T.self))
    }

    public func decode<T: PostgresDecodable>(_ type: T.Type = T.self, at index: Int) throws(PostgresDecodingError) -> T {
        guard let value = try decode(T?.self, at: index) else {
            throw PostgresDecodingError(column: columnName(index), wantedType: "\(T.self)", reason: .unexpectedNull)
        }
        return value
    }

    public func decode<T: PostgresDecodable>(_ type: T?.Type = T?.self, at index: Int) throws(PostgresDecodingError) -> T? {
        guard values.indices.contains(index) else {
            throw PostgresDecodingError(column: "#\(index)", wantedType: "\(T.self)", reason: .noSuchColumn)
        }
        guard let text = values[index] else { return nil }
        guard let value = T(postgresText: Substring(text)) else {
            throw PostgresDecodingError(column: columnName(index), wantedType: "\(T.self)", reason: .invalidText)
        }
        return value
    }

    private func index<T>(of column: String, wanted: T.Type) throws(PostgresDecodingError) -> Int {
        guard let index = columns.indexByName[column] else {
            throw PostgresDecodingError(column: column, wantedType: "\(T.self)", reason: .noSuchColumn)
        }
        return index
    }

    private func columnName(_ index: Int) -> String {
        columns.names.indices.contains(index) ? columns.names[index] : "#\(index)"
    }
}
