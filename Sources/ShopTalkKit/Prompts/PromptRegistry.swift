import Foundation

/// Problems finding or using a prompt version.
public enum PromptError: Error, CustomStringConvertible, Sendable, Equatable {
    case unknownPrompt(String, known: [String])
    case unknownVersion(String, known: [String])
    case unknownLabel(String, known: [String])
    case modified(reference: String, file: String)
    case badReference(String)

    public var description: String {
        switch self {
        case .unknownPrompt(let name, let known):
            "no prompt named '\(name)' (known: \(known.joined(separator: ", ")))"
        case .unknownVersion(let reference, let known):
            "no version \(reference) (known: \(known.joined(separator: ", ")))"
        case .unknownLabel(let reference, let known):
            "no label \(reference) (labels: \(known.isEmpty ? "none" : known.joined(separator: ", ")))"
        case .modified(let reference, let file):
            "\(file) changed after \(reference) was published; published versions are immutable: save the change as a new version file"
        case .badReference(let text):
            "'\(text)' is not a prompt reference: expected NAME@vN, NAME@LABEL or NAME"
        }
    }
}

/// The published state of the prompt library: which version hashes were published, and where labels point.
public struct PromptRegistry: Sendable {
    let ledger: Ledger
    public let library: PromptLibrary
    /// References of versions whose file no longer matches the hash recorded when it was published.
    public let modified: Set<String>

    /// Publishes versions seen for the first time and notes any whose file changed since.
    public init(ledger: Ledger, library: PromptLibrary, now: String) throws {
        self.ledger = ledger
        self.library = library
        var modified: Set<String> = []
        let recorded = try ledger.database.query("SELECT name, version, hash FROM prompt_versions")
        var hashes: [String: String] = [:]
        for row in recorded { hashes["\(row["name"].text ?? "")@v\(row["version"].integer ?? 0)"] = row["hash"].text }
        for name in library.names {
            for version in library.prompts[name] ?? [] {
                if let hash = hashes[version.reference] {
                    if hash != version.hash { modified.insert(version.reference) }
                } else {
                    try ledger.database.run(
                        "INSERT OR IGNORE INTO prompt_versions VALUES (?, ?, ?, ?)",
                        [.text(name), .integer(Int64(version.version)), .text(version.hash), .text(now)])
                }
            }
        }
        self.modified = modified
    }

    /// Where each label of `name` points; `production` defaults to the newest version.
    public func labels(of name: String) throws -> [String: Int] {
        var labels: [String: Int] = [:]
        if let latest = library.latest(name) { labels["production"] = latest.version }
        for row in try ledger.database.query("SELECT label, version FROM prompt_labels WHERE name = ?", [.text(name)]) {
            labels[row["label"].text ?? ""] = Int(row["version"].integer ?? 0)
        }
        return labels
    }

    /// The version `reference` names: `NAME@vN`, `NAME@N`, `NAME@LABEL`, or `NAME` for its production label.
    public func resolve(_ reference: String) throws -> PromptVersion {
        let parts = reference.split(separator: "@", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        guard let name = parts.first, !name.isEmpty else { throw PromptError.badReference(reference) }
        guard let versions = library.prompts[name] else {
            throw PromptError.unknownPrompt(name, known: library.names)
        }
        let selector = parts.count > 1 ? parts[1] : "production"
        let number: Int
        if let explicit = Int(selector.hasPrefix("v") ? String(selector.dropFirst()) : selector) {
            number = explicit
        } else {
            let labels = try labels(of: name)
            guard let labelled = labels[selector] else {
                throw PromptError.unknownLabel("\(name)@\(selector)", known: labels.keys.sorted())
            }
            number = labelled
        }
        guard let version = versions.first(where: { $0.version == number }) else {
            throw PromptError.unknownVersion("\(name)@v\(number)", known: versions.map(\.reference))
        }
        if modified.contains(version.reference) {
            throw PromptError.modified(reference: version.reference, file: version.file)
        }
        return version
    }
}
