import Foundation
import Synchronization

/// The offline, deterministic responder: it fills the prompt version's reply template for the situation
/// (or a default one) with the retrieved records, and so never states a fact retrieval did not return.
public struct BuiltinModel: LanguageModel {
    public let name = "builtin"

    public init() {}

    public func complete(_ request: ModelRequest) async throws -> ModelResponse {
        respond(request)
    }

    /// The same answer as `complete(_:)`, without suspending.
    public func respond(_ request: ModelRequest) -> ModelResponse {
        let text: String
        if let grounding = request.grounding {
            let template =
                grounding.template.flatMap(Self.parsed)
                ?? BuiltinReplies.template(for: grounding.intent)
            text = Self.tidy(template.render(grounding.context))
        } else {
            text = "I'm sorry, I can't answer that here. Would you like me to connect you with a person?"
        }
        let input = request.messages.reduce(0) { $0 + TokenEstimate.count($1.content) }
        return ModelResponse(
            text: text, inputTokens: input, outputTokens: TokenEstimate.count(text),
            finishReason: "stop")
    }

    /// A prompt version's reply template, parsed once per distinct text.
    private static func parsed(_ source: String) -> Template? {
        if let template = templates.withLock({ $0[source] }) { return template }
        guard let template = try? Template(source) else { return nil }
        templates.withLock { $0[source] = template }
        return template
    }

    private static let templates = Mutex<[String: Template]>([:])

    /// Collapses the blank space that empty sections leave behind.
    static func tidy(_ text: String) -> String {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map {
            $0.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
        }
        var result: [String] = []
        for line in lines where !(line.isEmpty && (result.last?.isEmpty ?? true)) { result.append(line) }
        return result.joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

/// A rough token count (about four characters a token) for models that report none.
public enum TokenEstimate {
    public static func count(_ text: String) -> Int {
        text.isEmpty ? 0 : max(1, (text.utf8.count + 3) / 4)
    }
}
