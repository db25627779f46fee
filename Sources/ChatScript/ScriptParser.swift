import Foundation
import ShopTalkKit

/// Reads `.chat` scripts: every malformed line is reported, with file, line, column and what was expected.
public enum ScriptParser {
    /// Commands a script may run; the display-only ones are accepted and have no effect on a test.
    public static let commands: Set = [
        "as", "new", "prompt", "model", "now", "handoff", "rate", "cache", "trace", "context", "render", "stats",
        "sessions", "audit", "help", "seed",
    ]

    /// Parses the script at `url`.
    public static func parse(contentsOf url: URL, displayPath: String? = nil) throws -> Script {
        let path = displayPath ?? url.path
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw ScriptErrors(errors: [ScriptError(file: path, line: 0, column: 0, text: "", expected: "")])
        }
        guard let text = try? String(contentsOf: url, encoding: .utf8) else {
            throw ScriptErrors(errors: [
                ScriptError(file: path, line: 1, column: 1, text: "", expected: "a readable UTF-8 text file")
            ])
        }
        return try parse(text, file: path)
    }

    /// Parses `text`; throws `ScriptErrors` listing every malformed line.
    public static func parse(_ text: String, file: String) throws -> Script {
        let base = (file as NSString).lastPathComponent
        var script = Script(file: file, name: base.hasSuffix(".chat") ? String(base.dropLast(5)) : base)
        var errors: [ScriptError] = []
        var sawUser = false
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        for (offset, rawLine) in lines.enumerated() {
            let number = offset + 1
            let line = rawLine.hasSuffix("\r") ? String(rawLine.dropLast()) : String(rawLine)
            let indent = line.prefix { $0 == " " || $0 == "\t" }.count
            // Only spaces and tabs are trimmed: a message of invisible characters is still a message.
            let content = String(line.dropFirst(indent).reversed().drop { $0 == " " || $0 == "\t" }.reversed())
            if content.isEmpty || content.hasPrefix("#") { continue }
            var reader = LineReader(file: file, line: number, column: indent + 1, text: content)
            do {
                if let step = try reader.step(into: &script) {
                    if case .user = step.kind {
                        sawUser = true
                    } else if case .expect = step.kind, !sawUser {
                        throw reader.error(at: 0, content, expected: "a 'user:' line before the first expectation")
                    }
                    script.steps.append(step)
                }
            } catch let error as ScriptError {
                errors.append(error)
            }
        }
        if !errors.isEmpty { throw ScriptErrors(errors: errors) }
        return script
    }
}

/// Reads one non-blank line of a script.
private struct LineReader {
    let file: String
    let line: Int
    let column: Int
    let text: String

    init(file: String, line: Int, column: Int, text: String) {
        self.file = file
        self.line = line
        self.column = column
        self.text = text
    }

    func error(at offset: Int, _ found: String, expected: String) -> ScriptError {
        ScriptError(file: file, line: line, column: column + offset, text: found, expected: expected)
    }

    /// The text after `prefix`, trimmed, with the offset where it starts.
    private func rest(after prefix: String) -> (String, Int) {
        let remainder = text.dropFirst(prefix.count)
        let skipped = remainder.prefix { $0 == " " || $0 == "\t" }.count
        let value = remainder.dropFirst(skipped).reversed().drop { $0 == " " || $0 == "\t" }.reversed()
        return (String(value), prefix.count + skipped)
    }

    mutating func step(into script: inout Script) throws -> Step? {
        func make(_ kind: Step.Kind) -> Step { Step(kind: kind, line: line, source: text) }
        if text.hasPrefix("@") { try meta(into: &script); return nil }
        if text.hasPrefix("user:") {
            let (message, offset) = rest(after: "user:")
            guard !message.isEmpty else { throw error(at: offset, text, expected: "a message after 'user:'") }
            return make(.user(message))
        }
        if text.hasPrefix("/") {
            let name = text.dropFirst().split(separator: " ").first.map(String.init) ?? ""
            guard ScriptParser.commands.contains(name) else {
                let known = ScriptParser.commands.sorted()
                let nearest = known.min { EditDistance.between($0, name) < EditDistance.between($1, name) } ?? "help"
                throw error(
                    at: 0, text,
                    expected: "a shell command such as /\(nearest) (known: \(known.joined(separator: ", ")))")
            }
            return make(.command(text))
        }
        for (prefix, build) in Self.replyForms {
            if text.hasPrefix(prefix) {
                let (value, offset) = rest(after: prefix)
                return make(
                    .expect(
                        try build(value) ?? { throw error(at: offset, value, expected: Self.replyExpected[prefix]!) }())
                )
            }
        }
        if text.hasPrefix("expect ") || text == "expect" {
            return make(.expect(try expectation()))
        }
        throw error(at: 0, text, expected: "'user:', 'bot:', 'bot~', 'bot!', 'bot/', 'expect …', '@meta' or '/command'")
    }

    private static let replyForms: [(String, @Sendable (String) -> Expectation?)] = [
        ("bot:", { $0.isEmpty ? nil : .replyEquals($0) }),
        ("bot~", { $0.isEmpty ? nil : .replyContains($0) }),
        ("bot!", { $0.isEmpty ? nil : .replyLacks($0) }),
        (
            "bot/",
            { value in
                guard value.hasSuffix("/"), value.count > 1 else { return nil }
                let pattern = String(value.dropLast())
                return (try? NSRegularExpression(pattern: pattern)) == nil ? nil : .replyMatches(pattern)
            }
        ),
    ]
    private static let replyExpected = [
        "bot:": "the reply text after 'bot:'", "bot~": "text the reply contains after 'bot~'",
        "bot!": "text the reply must not contain after 'bot!'",
        "bot/": "a valid regular expression closed by '/', as in bot/ order \\d+/",
    ]

    private func meta(into script: inout Script) throws {
        let keyword = String(text.prefix { !$0.isWhitespace })
        let (value, offset) = rest(after: keyword)
        func need(_ what: String) throws -> String {
            guard !value.isEmpty else { throw error(at: offset, text, expected: "\(what) after \(keyword)") }
            return value
        }
        switch keyword {
        case "@name": script.name = try need("a test name")
        case "@tags": script.tags = try need("tags").split(separator: " ").map(String.init)
        case "@customer": script.customer = try need("a customer id")
        case "@prompt":
            let reference = try need("NAME@VERSION or NAME@LABEL")
            guard reference.contains("@") else {
                throw error(at: offset, reference, expected: "NAME@VERSION or NAME@LABEL")
            }
            script.prompt = reference
        case "@model": script.model = try need("a model name")
        case "@seed":
            guard let seed = Int(value) else { throw error(at: offset, value, expected: "a whole number after @seed") }
            script.seed = seed
        case "@now":
            guard let date = try? Date(value, strategy: .iso8601) else {
                throw error(at: offset, value, expected: "an ISO 8601 time such as 2026-12-03T10:00:00Z")
            }
            script.now = date
        default:
            throw error(at: 0, keyword, expected: "one of @name, @tags, @customer, @prompt, @model, @seed, @now")
        }
    }

    private func expectation() throws -> Expectation {
        var words = text.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        words.removeFirst()
        let offsetOfWord = { (index: Int) -> Int in
            var position = 0
            var seen = -1
            for (offset, character) in text.enumerated() where character != " " {
                if offset == 0 || text[text.index(text.startIndex, offsetBy: offset - 1)] == " " { seen += 1 }
                if seen == index + 1 {
                    position = offset
                    break
                }
            }
            return position
        }
        let forms =
            "intent, entity, context, no context, handoff, no handoff, cache hit|miss, guard, no guard, "
            + "model, prompt, latency < Nms, cost < N"
        guard let kind = words.first else { throw error(at: 0, text, expected: "what to expect: \(forms)") }
        let arguments = Array(words.dropFirst())
        func argument(_ index: Int, _ what: String) throws -> String {
            guard index < arguments.count else { throw error(at: text.count, text, expected: what) }
            return arguments[index]
        }
        switch kind {
        case "intent":
            let name = try argument(0, "an intent name after 'expect intent'")
            guard arguments.count > 1 else { return .intent(name, minimum: nil) }
            guard arguments.count == 3, arguments[1] == ">=", let minimum = Double(arguments[2]),
                (0...1).contains(minimum)
            else {
                throw error(
                    at: offsetOfWord(2), arguments.dropFirst().joined(separator: " "),
                    expected: "an optional '>= 0.7' confidence between 0 and 1")
            }
            return .intent(name, minimum: minimum)
        case "entity":
            let rest = arguments.joined(separator: " ")
            let parts = rest.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                throw error(
                    at: offsetOfWord(1), rest, expected: "KEY = VALUE, as in 'expect entity order_id = HL-482913'")
            }
            return .entity(kind: parts[0], value: parts[1])
        case "context": return .context(try argument(0, "a record or article id after 'expect context'"))
        case "handoff": return .handoff(reason: arguments.first)
        case "cache":
            switch try argument(0, "hit or miss after 'expect cache'") {
            case "hit": return .cacheHit
            case "miss": return .cacheMiss
            case let other: throw error(at: offsetOfWord(1), other, expected: "hit or miss")
            }
        case "guard": return .guardFired(try argument(0, "a guard name such as injection, pii, policy or rate_limit"))
        case "model": return .model(try argument(0, "a model name after 'expect model'"))
        case "prompt":
            let reference = try argument(0, "NAME@VERSION after 'expect prompt'")
            guard reference.contains("@") else { throw error(at: offsetOfWord(1), reference, expected: "NAME@VERSION") }
            return .prompt(reference)
        case "latency":
            guard arguments.count == 2, arguments[0] == "<", let value = Self.milliseconds(arguments[1]) else {
                throw error(at: offsetOfWord(1), arguments.joined(separator: " "), expected: "'< 300ms' (ms or s)")
            }
            return .latencyBelow(milliseconds: value)
        case "cost":
            guard arguments.count == 2, arguments[0] == "<", let value = Double(arguments[1]) else {
                throw error(at: offsetOfWord(1), arguments.joined(separator: " "), expected: "'< 0.002'")
            }
            return .costBelow(value)
        case "no":
            switch try argument(0, "context ID, handoff or guard after 'expect no'") {
            case "context": return .noContext(try argument(1, "a record or article id after 'expect no context'"))
            case "handoff": return .noHandoff
            case "guard": return .noGuard
            case let other: throw error(at: offsetOfWord(1), other, expected: "context ID, handoff or guard")
            }
        default:
            throw error(at: offsetOfWord(0), kind, expected: forms)
        }
    }

    private static func milliseconds(_ text: String) -> Double? {
        if text.hasSuffix("ms") { return Double(text.dropLast(2)) }
        if text.hasSuffix("s") { return Double(text.dropLast()).map { $0 * 1000 } }
        return Double(text)
    }

}
