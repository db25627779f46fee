/// A malformed line of a `.chat` script, placed by file, line and column.
public struct ScriptError: Error, CustomStringConvertible, Sendable, Hashable {
    public var file: String
    public var line: Int
    public var column: Int
    /// The offending text.
    public var text: String
    /// What would have been valid there.
    public var expected: String

    public init(file: String, line: Int, column: Int, text: String, expected: String) {
        self.file = file
        self.line = line
        self.column = column
        self.text = text
        self.expected = expected
    }

    public var description: String {
        if line == 0 { return "\(file): no such file" }
        return "\(file):\(line):\(column): expected \(expected), found '\(text)'"
    }
}

/// Every error of one script file, reported together.
public struct ScriptErrors: Error, CustomStringConvertible, Sendable {
    public var errors: [ScriptError]

    public var description: String {
        errors.map(\.description).joined(separator: "\n")
    }
}
