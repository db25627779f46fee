import CSQLite
import Foundation

/// A value bound to, or read from, an SQL statement.
public enum SQLValue: Sendable, Hashable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob(Data)

    /// The value as text, converting numbers; `nil` for NULL and blobs.
    public var text: String? {
        switch self {
        case .text(let value): value
        case .integer(let value): String(value)
        case .real(let value): String(value)
        case .null, .blob: nil
        }
    }

    /// The value as an integer, `nil` unless it is one.
    public var integer: Int64? {
        switch self {
        case .integer(let value): value
        case .real(let value): Int64(value)
        default: nil
        }
    }

    /// The value as a double, `nil` unless it is numeric.
    public var real: Double? {
        switch self {
        case .integer(let value): Double(value)
        case .real(let value): value
        default: nil
        }
    }

    /// The value as bytes, `nil` unless it is a blob.
    public var blob: Data? {
        if case .blob(let value) = self { return value }
        return nil
    }
}

extension SQLValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByNilLiteral {
    public init(stringLiteral value: String) { self = .text(value) }
    public init(integerLiteral value: Int64) { self = .integer(value) }
    public init(nilLiteral: ()) { self = .null }
}

extension Optional where Wrapped == String {
    /// The string as a bound value, NULL when absent.
    public var sqlValue: SQLValue { map(SQLValue.text) ?? .null }
}

/// One result row: values by column position, with names for lookup.
public struct Row: Sendable {
    public var columns: [String]
    public var values: [SQLValue]

    /// The value of the named column, NULL when there is no such column.
    public subscript(_ name: String) -> SQLValue {
        guard let index = columns.firstIndex(of: name) else { return .null }
        return values[index]
    }
}

/// A prepared statement borrowed from its `Database` for the duration of a call.
public struct Statement {
    let pointer: OpaquePointer
    let connection: OpaquePointer
    let sql: String
    let path: String

    /// Binds the values to the statement's parameters in order.
    public func bind(_ values: [SQLValue]) throws {
        for (offset, value) in values.enumerated() {
            let index = Int32(offset + 1)
            let status: Int32
            switch value {
            case .null: status = sqlite3_bind_null(pointer, index)
            case .integer(let number): status = sqlite3_bind_int64(pointer, index, number)
            case .real(let number): status = sqlite3_bind_double(pointer, index, number)
            case .text(let text): status = sqlite3_bind_text(pointer, index, text, -1, shoptalk_sqlite_transient())
            case .blob(let data):
                status = data.withUnsafeBytes { bytes in
                    sqlite3_bind_blob(
                        pointer, index, bytes.baseAddress, Int32(bytes.count), shoptalk_sqlite_transient())
                }
            }
            if status != SQLITE_OK { throw error(status) }
        }
    }

    /// Advances to the next row; false when the statement is done.
    public func step() throws -> Bool {
        let status = sqlite3_step(pointer)
        switch status {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default: throw error(status)
        }
    }

    /// The current row.
    public func row() -> Row {
        let count = sqlite3_column_count(pointer)
        var columns: [String] = []
        var values: [SQLValue] = []
        columns.reserveCapacity(Int(count))
        values.reserveCapacity(Int(count))
        for index in 0..<count {
            columns.append(String(cString: sqlite3_column_name(pointer, index)))
            values.append(column(index))
        }
        return Row(columns: columns, values: values)
    }

    private func column(_ index: Int32) -> SQLValue {
        switch sqlite3_column_type(pointer, index) {
        case SQLITE_INTEGER: return .integer(sqlite3_column_int64(pointer, index))
        case SQLITE_FLOAT: return .real(sqlite3_column_double(pointer, index))
        case SQLITE_TEXT: return .text(String(cString: sqlite3_column_text(pointer, index)))
        case SQLITE_BLOB:
            let count = Int(sqlite3_column_bytes(pointer, index))
            guard count > 0, let bytes = sqlite3_column_blob(pointer, index) else { return .blob(Data()) }
            return .blob(Data(bytes: bytes, count: count))
        default: return .null
        }
    }

    private func error(_ status: Int32) -> StoreError {
        StoreError(
            code: sqlite3_extended_errcode(connection), message: String(cString: sqlite3_errmsg(connection)),
            sql: sql, path: path)
    }
}
