import Foundation

/// The prompt versions of a workspace, read from `prompts/NAME/vN.prompt`.
public struct PromptLibrary: Sendable {
    /// Versions by prompt name, oldest first.
    public private(set) var prompts: [String: [PromptVersion]]

    /// The names of the prompts, sorted.
    public var names: [String] { prompts.keys.sorted() }

    public init(versions: [PromptVersion]) {
        prompts = Dictionary(grouping: versions, by: \.name).mapValues { $0.sorted { $0.version < $1.version } }
    }

    /// Reads every version under `root/prompts`; a workspace without prompts gets the built-in `support@v1`.
    public static func load(root: URL) throws -> PromptLibrary {
        let folder = root.appendingPathComponent("prompts")
        let manager = FileManager.default
        var versions: [PromptVersion] = []
        for name in ((try? manager.contentsOfDirectory(atPath: folder.path)) ?? []).sorted() {
            let directory = folder.appendingPathComponent(name)
            var isDirectory: ObjCBool = false
            guard manager.fileExists(atPath: directory.path, isDirectory: &isDirectory), isDirectory.boolValue else {
                continue
            }
            for file in ((try? manager.contentsOfDirectory(atPath: directory.path)) ?? []).sorted()
            where file.hasSuffix(".prompt") {
                let relative = "prompts/\(name)/\(file)"
                guard file.hasPrefix("v"), let number = Int(file.dropFirst().dropLast(7)), number > 0 else {
                    throw WorkspaceError.malformed(
                        file: relative, line: 1, expected: "a file name of the form vN.prompt, such as v1.prompt")
                }
                let url = directory.appendingPathComponent(file)
                guard let source = try? String(contentsOf: url, encoding: .utf8) else {
                    throw WorkspaceError.unreadable(file: relative, reason: "not a readable UTF-8 text file")
                }
                versions.append(try PromptVersion(name: name, version: number, source: source, file: relative))
            }
        }
        if versions.isEmpty { versions.append(try PromptVersion.builtinDefault()) }
        return PromptLibrary(versions: versions)
    }

    /// The given version of a prompt.
    public func version(_ name: String, _ number: Int) -> PromptVersion? {
        prompts[name]?.first { $0.version == number }
    }

    /// The newest version of a prompt.
    public func latest(_ name: String) -> PromptVersion? {
        prompts[name]?.last
    }

    /// Every `name@vN` reference, for completion.
    public var references: [String] {
        names.flatMap { name in prompts[name, default: []].map(\.reference) }
    }
}

extension PromptVersion {
    /// The version a workspace without a `prompts/` folder uses.
    static func builtinDefault() throws -> PromptVersion {
        try PromptVersion(name: "support", version: 1, source: defaultSource, file: "(built-in support@v1)")
    }

    private static let defaultSource = """
        ---
        model: builtin
        temperature: 0.2
        max_tokens: 300
        description: the built-in default support prompt
        ---
        [system]
        You are the customer support assistant of {{store.name}}. Answer only from the records and articles below.
        If they do not answer the question, say so and offer to connect the customer with a person.
        Never invent order details, prices or policies.
        [user]
        {{#customer}}Customer: {{name}} ({{id}})
        {{/customer}}{{#orders}}Order {{order_id}}: {{status}}, carrier {{carrier}}, tracking {{tracking}}, due {{eta}}
        {{/orders}}{{#articles}}Article {{id}} "{{title}}": {{body}}
        {{/articles}}{{#products}}Product {{sku}} {{name}}: {{price}} {{currency}}, {{availability}}. {{description}}
        {{/products}}
        Message: {{message}}
        """
}
