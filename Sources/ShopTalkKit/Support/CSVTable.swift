import Foundation

/// A CSV file read into memory: a header and rows of fields (RFC 4180 quoting).
public struct CSVTable: Sendable {
    /// One data row with its 1-based line number in the file, for error messages.
    public struct Record: Sendable {
        public var line: Int
        public var fields: [String]
    }

    public var file: String
    public var header: [String]
    public var records: [Record]

    /// Parses `text`; `file` names the source in errors.
    public init(text: String, file: String) throws {
        self.file = file
        var rows = try Self.parse(text, file: file)
        guard !rows.isEmpty else { throw WorkspaceError.malformed(file: file, line: 1, expected: "a header line") }
        header = rows.removeFirst().fields.map { $0.trimmingCharacters(in: .whitespaces) }
        records = rows
        for record in records where record.fields.count != header.count {
            throw WorkspaceError.malformed(
                file: file, line: record.line,
                expected: "\(header.count) fields (\(header.joined(separator: ","))), found \(record.fields.count)")
        }
    }

    /// Reads and parses the file at `url`.
    public init(contentsOf url: URL) throws {
        let text: String
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
            throw WorkspaceError.unreadable(file: url.path, reason: "no such file")
        }
        guard !isDirectory.boolValue else {
            throw WorkspaceError.unreadable(file: url.path, reason: "a directory, not a CSV file")
        }
        do {
            text = try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw WorkspaceError.unreadable(file: url.path, reason: "not a readable UTF-8 text file")
        }
        try self.init(text: text, file: url.path)
    }

    /// Checks the header holds `columns`, naming the first one missing.
    public func require(_ columns: [String]) throws {
        for column in columns where !header.contains(column) {
            throw WorkspaceError.malformed(
                file: file, line: 1, expected: "a column named '\(column)' in the header")
        }
    }

    /// The rows as dictionaries keyed by column name.
    public var dictionaries: [(line: Int, values: [String: String])] {
        records.map { record in
            (record.line, Dictionary(zip(header, record.fields), uniquingKeysWith: { first, _ in first }))
        }
    }

    private static func parse(_ text: String, file: String) throws -> [Record] {
        var rows: [Record] = []
        var fields: [String] = []
        var field = ""
        var inQuotes = false
        var line = 1
        var rowLine = 1
        var iterator = text.unicodeScalars.makeIterator()
        var pending: Unicode.Scalar? = nil
        func next() -> Unicode.Scalar? {
            if let scalar = pending {
                pending = nil
                return scalar
            }
            return iterator.next()
        }
        func endRow() {
            fields.append(field)
            field = ""
            if !(fields.count == 1 && fields[0].isEmpty) {
                rows.append(Record(line: rowLine, fields: fields))
            }
            fields = []
        }
        while let scalar = next() {
            if inQuotes {
                if scalar == "\"" {
                    if let following = next() {
                        if following == "\"" {
                            field.unicodeScalars.append("\"")
                        } else {
                            inQuotes = false
                            pending = following
                        }
                    } else {
                        inQuotes = false
                    }
                } else {
                    if scalar == "\n" { line += 1 }
                    field.unicodeScalars.append(scalar)
                }
                continue
            }
            switch scalar {
            case "\"" where field.isEmpty: inQuotes = true
            case ",":
                fields.append(field)
                field = ""
            case "\r": continue
            case "\n":
                endRow()
                line += 1
                rowLine = line
            default: field.unicodeScalars.append(scalar)
            }
        }
        if inQuotes {
            throw WorkspaceError.malformed(file: file, line: rowLine, expected: "a closing quote for the field")
        }
        if !field.isEmpty || !fields.isEmpty { endRow() }
        return rows
    }
}
