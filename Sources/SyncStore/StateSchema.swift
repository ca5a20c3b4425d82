import Postgres

/// The configured state schema (`state_database.schema`), quoted once for SQL.
public struct StateSchema: Sendable, Equatable {
    public let name: String

    public init(_ name: String) { self.name = name }

    /// `"optout_sync"."outbox"`.
    public func table(_ table: String) -> String { quoteIdentifier(name) + "." + quoteIdentifier(table) }
}
