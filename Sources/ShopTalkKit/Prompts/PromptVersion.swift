import Foundation

/// One immutable version of a prompt, read from `prompts/NAME/vN.prompt`.
public struct PromptVersion: Sendable, Hashable {
    public var name: String
    public var version: Int
    /// The model the version asks for, when it pins one.
    public var model: String?
    public var temperature: Double
    public var maxTokens: Int
    public var description: String
    /// The SHA-256 of the file's bytes; a published version's hash never changes.
    public var hash: String
    public var system: Template
    public var user: Template
    /// Reply templates by intent (`[reply.track_order]`), used by the built-in responder.
    public var replies: [String: Template]
    /// The text of each reply template, as written.
    public var replySources: [String: String]
    /// The file's text, for `/prompt show` and diffs.
    public var source: String
    public var file: String

    /// `name@vN`.
    public var reference: String { "\(name)@v\(version)" }

    /// Parses a version file; errors name the file and line.
    public init(name: String, version: Int, source: String, file: String) throws {
        self.name = name
        self.version = version
        self.source = source
        self.file = file
        hash = Digest.sha256Hex(source)
        model = nil
        temperature = 0.2
        maxTokens = 300
        description = ""
        system = .empty
        user = .empty
        replies = [:]
        replySources = [:]

        // Files saved with CRLF endings read like LF ones; the hash stays over the bytes as written.
        var lines = source.replacingOccurrences(of: "\r\n", with: "\n").split(
            separator: "\n", omittingEmptySubsequences: false
        ).map(String.init)
        if lines.last == "" { lines.removeLast() }
        var lineNumber = 0
        if lines.first?.trimmingCharacters(in: .whitespaces) == "---" {
            lineNumber = 1
            var closed = false
            while lineNumber < lines.count {
                let line = lines[lineNumber]
                lineNumber += 1
                if line.trimmingCharacters(in: .whitespaces) == "---" {
                    closed = true
                    break
                }
                try readSetting(line, line: lineNumber)
            }
            guard closed else {
                throw WorkspaceError.malformed(file: file, line: lineNumber, expected: "'---' closing the front matter")
            }
        }

        var sections: [(name: String, line: Int, body: [String])] = []
        for (offset, line) in lines[lineNumber...].enumerated() {
            let number = lineNumber + offset + 1
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("[") && trimmed.hasSuffix("]") && !trimmed.contains(" ") {
                sections.append((String(trimmed.dropFirst().dropLast()), number, []))
            } else if sections.isEmpty {
                guard trimmed.isEmpty else {
                    throw WorkspaceError.malformed(
                        file: file, line: number,
                        expected: "a section header such as [system], [user] or [reply.INTENT]")
                }
            } else {
                sections[sections.count - 1].body.append(line)
            }
        }

        var system: Template?
        var user: Template?
        var replies: [String: Template] = [:]
        var replySources: [String: String] = [:]
        for section in sections {
            let leadingBlank = section.body.prefix { $0.trimmingCharacters(in: .whitespaces).isEmpty }.count
            let body = section.body.joined(separator: "\n").trimmingCharacters(in: .newlines)
            let template = try Template(body, file: file, firstLine: section.line + 1 + leadingBlank)
            switch section.name {
            case "system": system = template
            case "user": user = template
            case let name where name.hasPrefix("reply.") && name.count > 6:
                replies[String(name.dropFirst(6))] = template
                replySources[String(name.dropFirst(6))] = body
            default:
                throw WorkspaceError.malformed(
                    file: file, line: section.line,
                    expected: "a section named system, user or reply.INTENT, found [\(section.name)]")
            }
        }
        self.system = try system ?? Template("You are the customer support assistant of {{store.name}}.")
        self.user = try user ?? Template("{{message}}")
        self.replies = replies
        self.replySources = replySources
    }

    private mutating func readSetting(_ line: String, line lineNumber: Int) throws {
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        if trimmed.isEmpty || trimmed.hasPrefix("#") { return }
        guard let colon = trimmed.firstIndex(of: ":") else {
            throw WorkspaceError.malformed(file: file, line: lineNumber, expected: "'key: value' in the front matter")
        }
        let key = trimmed[..<colon].trimmingCharacters(in: .whitespaces)
        let value = trimmed[trimmed.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        switch key {
        case "model": model = value.isEmpty ? nil : value
        case "description": description = value
        case "temperature":
            guard let number = Double(value), (0...2).contains(number) else {
                throw WorkspaceError.malformed(file: file, line: lineNumber, expected: "a temperature between 0 and 2")
            }
            temperature = number
        case "max_tokens":
            guard let number = Int(value), number > 0 else {
                throw WorkspaceError.malformed(
                    file: file, line: lineNumber, expected: "a positive whole number for max_tokens")
            }
            maxTokens = number
        default:
            throw WorkspaceError.malformed(
                file: file, line: lineNumber,
                expected: "one of model, temperature, max_tokens, description; found '\(key)'")
        }
    }
}
