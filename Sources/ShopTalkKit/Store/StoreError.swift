import CSQLite

/// A failure reported by SQLite, with the extended result code and the statement involved.
public struct StoreError: Error, CustomStringConvertible, Sendable {
    /// The extended result code (`SQLITE_BUSY`, `SQLITE_CONSTRAINT_UNIQUE`, …).
    public var code: Int32
    public var message: String
    public var sql: String?
    public var path: String?

    /// Whether another process holds the database (exit code 3 territory rather than bad input).
    public var isBusy: Bool {
        let primary = code & 0xff
        return primary == SQLITE_BUSY || primary == SQLITE_LOCKED
    }

    public var description: String {
        var text = "database error \(code): \(message)"
        if let path { text += " in \(path)" }
        if let sql { text += " (while running: \(sql.prefix(120)))" }
        return text
    }
}
