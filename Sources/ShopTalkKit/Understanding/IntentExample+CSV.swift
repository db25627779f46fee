import Foundation

extension IntentExample {
    /// The rows of a `text,intent` CSV file; errors name the file and line.
    public static func load(from url: URL) throws -> [IntentExample] {
        try examples(in: CSVTable(contentsOf: url))
    }

    /// The rows of `text,intent` CSV text.
    public static func load(text: String, file: String) throws -> [IntentExample] {
        try examples(in: CSVTable(text: text, file: file))
    }

    private static func examples(in table: CSVTable) throws -> [IntentExample] {
        try table.require(["text", "intent"])
        let rows = table.dictionaries
        guard !rows.isEmpty else {
            throw WorkspaceError.malformed(file: table.file, line: 2, expected: "at least one text,intent row")
        }
        return try rows.map { row in
            guard let text = row.values["text"], let intent = row.values["intent"], !intent.isEmpty, !text.isEmpty
            else {
                throw WorkspaceError.malformed(file: table.file, line: row.line, expected: "a text and an intent")
            }
            return IntentExample(text: text, intent: intent)
        }
    }
}
