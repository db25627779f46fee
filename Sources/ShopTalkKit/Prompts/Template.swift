/// A parsed Mustache-style template: `{{name}}`, `{{a.b}}`, sections `{{#list}}…{{/list}}`,
/// inverted sections `{{^x}}…{{/x}}`, comments `{{! … }}` and `{{.}}` for the current item.
///
/// Values are inserted as they are: prompts are plain text, so nothing is HTML-escaped.
public struct Template: Sendable, Hashable {
    indirect enum Node: Sendable, Hashable {
        case text(String)
        case variable([String])
        case section([String], inverted: Bool, [Node])
    }

    let nodes: [Node]

    /// A template that renders nothing.
    static let empty = Template(nodes: [])

    private init(nodes: [Node]) {
        self.nodes = nodes
    }

    /// Parses `source`; `file` and `firstLine` place errors in the file the template came from.
    public init(_ source: String, file: String = "<template>", firstLine: Int = 1) throws {
        var parser = TemplateParser(source: source, file: file, firstLine: firstLine)
        nodes = try parser.parse()
    }

    /// The template rendered with `context`.
    public func render(_ context: TemplateValue) -> String {
        var output = ""
        Self.render(nodes, stack: [context], into: &output)
        return output
    }

    /// The top-level names the template refers to, for checks and documentation.
    public var names: Set<String> {
        var names: Set<String> = []
        func walk(_ nodes: [Node]) {
            for node in nodes {
                switch node {
                case .text: break
                case .variable(let path): if let first = path.first { names.insert(first) }
                case .section(let path, _, let children):
                    if let first = path.first { names.insert(first) }
                    walk(children)
                }
            }
        }
        walk(nodes)
        return names
    }

    private static func render(_ nodes: [Node], stack: [TemplateValue], into output: inout String) {
        for node in nodes {
            switch node {
            case .text(let text):
                output += text
            case .variable(let path):
                output += lookup(path, in: stack)?.text ?? ""
            case .section(let path, let inverted, let children):
                let value = lookup(path, in: stack) ?? .null
                if inverted {
                    if !value.isTruthy { render(children, stack: stack, into: &output) }
                } else if case .list(let items) = value {
                    for item in items { render(children, stack: stack + [item], into: &output) }
                } else if value.isTruthy {
                    render(children, stack: stack + [value], into: &output)
                }
            }
        }
    }

    private static func lookup(_ path: [String], in stack: [TemplateValue]) -> TemplateValue? {
        guard let first = path.first else { return stack.last }
        for frame in stack.reversed() {
            guard var value = frame[first] else { continue }
            for key in path.dropFirst() {
                guard let next = value[key] else { return nil }
                value = next
            }
            return value
        }
        return nil
    }
}

/// A problem in a template, placed by file and line.
public struct TemplateError: Error, CustomStringConvertible, Sendable, Equatable {
    public var file: String
    public var line: Int
    public var message: String

    public var description: String { "\(file):\(line): \(message)" }
}

private struct TemplateParser {
    let source: String
    let file: String
    let firstLine: Int
    var index: String.Index

    init(source: String, file: String, firstLine: Int) {
        self.source = source
        self.file = file
        self.firstLine = firstLine
        index = source.startIndex
    }

    mutating func parse() throws -> [Template.Node] {
        let (nodes, closing) = try parseNodes(until: nil)
        precondition(closing == nil)
        return nodes
    }

    private mutating func parseNodes(until section: [String]?) throws -> ([Template.Node], [String]?) {
        var nodes: [Template.Node] = []
        while index < source.endIndex {
            guard let open = source.range(of: "{{", range: index..<source.endIndex) else {
                nodes.append(.text(String(source[index...])))
                index = source.endIndex
                break
            }
            if open.lowerBound > index { nodes.append(.text(String(source[index..<open.lowerBound]))) }
            guard let close = source.range(of: "}}", range: open.upperBound..<source.endIndex) else {
                throw error(at: open.lowerBound, "unclosed '{{': expected '}}'")
            }
            let tag = source[open.upperBound..<close.lowerBound].trimmingCharacters(in: .whitespaces)
            let tagStart = open.lowerBound
            index = close.upperBound
            guard let sigil = tag.first else { throw error(at: tagStart, "empty tag '{{}}': expected a name") }
            switch sigil {
            case "!":
                continue
            case "#", "^":
                let path = try name(String(tag.dropFirst()), at: tagStart)
                let (children, closing) = try parseNodes(until: path)
                guard closing == path else {
                    throw error(at: tagStart, "section '\(path.joined(separator: "."))' is never closed with {{/…}}")
                }
                nodes.append(.section(path, inverted: sigil == "^", children))
            case "/":
                let path = try name(String(tag.dropFirst()), at: tagStart)
                guard let section, section == path else {
                    throw error(at: tagStart, "'{{/\(path.joined(separator: "."))}}' closes a section that is not open")
                }
                return (nodes, path)
            default:
                nodes.append(.variable(try name(tag, at: tagStart)))
            }
        }
        return (nodes, nil)
    }

    private func name(_ text: String, at position: String.Index) throws -> [String] {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed == "." { return [] }
        let parts = trimmed.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard !parts.isEmpty,
            parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" } })
        else {
            throw error(at: position, "'\(trimmed)' is not a placeholder name: expected letters, digits, '_' and '.'")
        }
        return parts
    }

    private func error(at position: String.Index, _ message: String) -> TemplateError {
        let line = firstLine + source[..<position].reduce(0) { $1 == "\n" ? $0 + 1 : $0 }
        return TemplateError(file: file, line: line, message: message)
    }
}
