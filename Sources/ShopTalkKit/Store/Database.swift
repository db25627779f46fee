import CSQLite
import Foundation

/// One SQLite connection, owned by this object and guarded by a mutex so it may be shared across tasks.
///
/// Statements prepared through `cachedStatement(_:)` are kept for the life of the connection;
/// everything else is finalized as soon as it has run.
public final class Database: @unchecked Sendable {
    private struct State {
        var cache: [String: OpaquePointer] = [:]
    }

    /// Where the database lives, `:memory:` for an in-memory one.
    public let path: String
    private let handle: OpaquePointer
    // The connection and its statements are only touched with `lock` held.
    private let lock = NSLock()
    private var state = State()

    /// Opens (creating when needed) the database at `path`, in WAL mode for files.
    ///
    /// - Parameters:
    ///   - readOnly: open without write access; the file must exist.
    ///   - busyTimeout: how long a writer waits for another one before giving up.
    public init(path: String, readOnly: Bool = false, busyTimeout: Duration = .seconds(5)) throws {
        var connection: OpaquePointer?
        let flags =
            (readOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)
            | SQLITE_OPEN_NOMUTEX
        let status = sqlite3_open_v2(path, &connection, flags, nil)
        guard status == SQLITE_OK, let connection else {
            let message = connection.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot open"
            sqlite3_close_v2(connection)
            throw StoreError(code: status, message: message, sql: nil, path: path)
        }
        self.path = path
        self.handle = connection
        sqlite3_extended_result_codes(connection, 1)
        let millis = busyTimeout.components.seconds * 1000 + busyTimeout.components.attoseconds / 1_000_000_000_000_000
        sqlite3_busy_timeout(connection, Int32(millis))
        if path != ":memory:" && !readOnly {
            let mode = try scalarText("PRAGMA journal_mode=WAL")
            guard mode?.lowercased() == "wal" else {
                throw StoreError(
                    code: SQLITE_ERROR, message: "journal mode is \(mode ?? "unknown"), wanted wal",
                    sql: nil, path: path)
            }
        }
        try execute("PRAGMA foreign_keys=ON")
    }

    deinit {
        for statement in state.cache.values { sqlite3_finalize(statement) }
        sqlite3_close_v2(handle)
    }

    /// Runs one or more statements that take no parameters and return no rows.
    public func execute(_ sql: String) throws {
        try withLock {
            var error: UnsafeMutablePointer<CChar>?
            let status = sqlite3_exec(handle, sql, nil, nil, &error)
            if status != SQLITE_OK {
                let message = error.map { String(cString: $0) } ?? "unknown error"
                sqlite3_free(error)
                throw StoreError(code: sqlite3_extended_errcode(handle), message: message, sql: sql, path: path)
            }
        }
    }

    /// Runs `sql` with `bindings` and returns every row.
    public func query(_ sql: String, _ bindings: [SQLValue] = []) throws -> [Row] {
        try withStatement(sql) { statement in
            try statement.bind(bindings)
            var rows: [Row] = []
            while try statement.step() { rows.append(statement.row()) }
            return rows
        }
    }

    /// Runs a statement for its effect; returns the number of rows changed.
    @discardableResult
    public func run(_ sql: String, _ bindings: [SQLValue] = []) throws -> Int {
        try withStatement(sql) { statement in
            try statement.bind(bindings)
            while try statement.step() {}
            return Int(sqlite3_changes(statement.connection))
        }
    }

    /// The first column of the first row as text, `nil` when there is no row or it is NULL.
    public func scalarText(_ sql: String, _ bindings: [SQLValue] = []) throws -> String? {
        try query(sql, bindings).first?.values.first?.text
    }

    /// Runs `body` with a statement prepared once and kept for the connection's lifetime.
    ///
    /// The statement is reset and its bindings cleared afterwards, also when `body` throws.
    public func withStatement<T>(_ sql: String, _ body: (Statement) throws -> T) throws -> T {
        try withLock {
            let pointer: OpaquePointer
            if let cached = state.cache[sql] {
                pointer = cached
            } else {
                var prepared: OpaquePointer?
                let status = sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &prepared, nil)
                guard status == SQLITE_OK, let prepared else {
                    throw StoreError(
                        code: sqlite3_extended_errcode(handle),
                        message: String(cString: sqlite3_errmsg(handle)), sql: sql, path: path)
                }
                state.cache[sql] = prepared
                pointer = prepared
            }
            let statement = Statement(pointer: pointer, connection: handle, sql: sql, path: path)
            defer {
                sqlite3_reset(pointer)
                sqlite3_clear_bindings(pointer)
            }
            return try body(statement)
        }
    }

    private func withLock<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }

    /// Runs `body` inside one transaction: committed when it returns, rolled back when it throws.
    public func transaction<T>(immediate: Bool = true, _ body: () throws -> T) throws -> T {
        try execute(immediate ? "BEGIN IMMEDIATE" : "BEGIN")
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    /// The rowid of the last row inserted through this connection.
    public var lastInsertRowID: Int64 {
        withLock { sqlite3_last_insert_rowid(handle) }
    }
}
