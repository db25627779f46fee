import Foundation

/// Splits `knowledge/*.md` files into articles: each `## Title {#id}` heading starts one.
///
/// A line `<!-- intents: return_policy, refund_policy -->` inside an article marks it as the main answer to
/// those intents; Markdown renderers hide it, and it is not part of the body.
public enum KnowledgeParser {
    /// The articles of one Markdown file; `file` names it in errors and in each article.
    public static func articles(in text: String, file: String) throws -> [Article] {
        var articles: [Article] = []
        var current: (title: String, id: String, line: Int, body: [String], intents: [String])?
        func finish() {
            guard let open = current else { return }
            let body = open.body.joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
            let version = Digest.sha256Hex(open.title + "\n" + body + "\n" + open.intents.joined(separator: ","))
            articles.append(
                Article(
                    id: open.id, title: open.title, body: body, file: file, line: open.line,
                    version: String(version.prefix(16)), intents: open.intents))
        }
        for (offset, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            guard line.hasPrefix("## ") else {
                if let intents = markedIntents(line), current != nil {
                    current?.intents += intents
                } else {
                    current?.body.append(String(line))
                }
                continue
            }
            finish()
            var title = line.dropFirst(3).trimmingCharacters(in: .whitespaces)
            var id = slug(title)
            if let open = title.range(of: "{#"), title.hasSuffix("}") {
                id = String(title[open.upperBound..<title.index(before: title.endIndex)])
                title = title[..<open.lowerBound].trimmingCharacters(in: .whitespaces)
                guard !id.isEmpty, id.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) else {
                    throw WorkspaceError.malformed(
                        file: file, line: offset + 1, expected: "an article id of letters, digits, '-' or '_' in {#id}")
                }
            }
            guard !title.isEmpty else {
                throw WorkspaceError.malformed(file: file, line: offset + 1, expected: "a title after '## '")
            }
            current = (title, id, offset + 1, [], [])
        }
        finish()
        return articles
    }

    /// The intents of an `<!-- intents: a, b -->` line, `nil` for any other line.
    private static func markedIntents(_ line: Substring) -> [String]? {
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        guard trimmed.hasPrefix("<!--"), trimmed.hasSuffix("-->") else { return nil }
        let inner = trimmed.dropFirst(4).dropLast(3).trimmingCharacters(in: .whitespaces)
        guard inner.hasPrefix("intents:") else { return nil }
        return inner.dropFirst(8).split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
    }

    /// The id an article without `{#id}` gets: lowercase words joined by dashes.
    public static func slug(_ title: String) -> String {
        let words = title.lowercased().split { !($0.isLetter || $0.isNumber) }
        return words.joined(separator: "-")
    }
}
