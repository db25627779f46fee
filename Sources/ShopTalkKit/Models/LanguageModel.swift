import Foundation

/// One message of a chat-completions conversation.
public struct ChatMessage: Codable, Hashable, Sendable {
    /// `system`, `user` or `assistant`.
    public var role: String
    public var content: String

    public init(role: String, content: String) {
        self.role = role
        self.content = content
    }
}

/// What the built-in responder needs to compose a grounded reply; outside models ignore it.
public struct Grounding: Codable, Hashable, Sendable {
    /// The recognised intent the reply answers.
    public var intent: String
    /// The reply template of the prompt version for this intent, when it has one.
    public var template: String?
    /// The render context (store, customer, orders, articles, products, entities) as a JSON-like value.
    public var context: TemplateValue

    public init(intent: String, template: String?, context: TemplateValue) {
        self.intent = intent
        self.template = template
        self.context = context
    }
}

/// A request to a model: the rendered messages and the decoding parameters.
public struct ModelRequest: Codable, Hashable, Sendable {
    public var messages: [ChatMessage]
    public var temperature: Double
    public var maxTokens: Int
    public var seed: Int?
    public var grounding: Grounding?

    public init(
        messages: [ChatMessage], temperature: Double = 0.2, maxTokens: Int = 300, seed: Int? = nil,
        grounding: Grounding? = nil
    ) {
        self.messages = messages
        self.temperature = temperature
        self.maxTokens = maxTokens
        self.seed = seed
        self.grounding = grounding
    }
}

/// A model's answer with the token counts it reported (or that were estimated).
public struct ModelResponse: Codable, Hashable, Sendable {
    public var text: String
    public var inputTokens: Int
    public var outputTokens: Int
    public var cachedInputTokens: Int
    public var finishReason: String?

    public init(
        text: String, inputTokens: Int, outputTokens: Int, cachedInputTokens: Int = 0, finishReason: String? = nil
    ) {
        self.text = text
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.cachedInputTokens = cachedInputTokens
        self.finishReason = finishReason
    }
}

/// A backend that turns a request into a reply.
public protocol LanguageModel: Sendable {
    /// The configured name (`builtin`, `local`, …), not the provider's model id.
    var name: String { get }

    /// Produces one reply. Throws `ModelError` for faults a caller may retry or fall back from.
    func complete(_ request: ModelRequest) async throws -> ModelResponse
}

/// Faults of a model call.
public enum ModelError: Error, Equatable, CustomStringConvertible, Sendable {
    case unreachable(model: String, detail: String)
    case timedOut(model: String, seconds: Double)
    case http(model: String, status: Int, body: String)
    case malformedResponse(model: String, detail: String)
    case missingAPIKey(model: String, variable: String)
    case circuitOpen(model: String)

    /// Whether trying the same model again may help.
    ///
    /// A model that used its whole timeout is passed over for the next in the chain rather than asked again:
    /// each retry would make the customer wait that long once more.
    public var isRetryable: Bool {
        switch self {
        case .unreachable: true
        case .timedOut: false
        case .http(_, let status, _): status == 429 || status >= 500
        case .malformedResponse, .missingAPIKey, .circuitOpen: false
        }
    }

    public var description: String {
        switch self {
        case .unreachable(let model, let detail): "model '\(model)' is unreachable: \(detail)"
        case .timedOut(let model, let seconds): "model '\(model)' did not answer within \(seconds)s"
        case .http(let model, let status, let body): "model '\(model)' answered HTTP \(status): \(body.prefix(200))"
        case .malformedResponse(let model, let detail):
            "model '\(model)' sent a response that could not be read: \(detail)"
        case .missingAPIKey(let model, let variable):
            "model '\(model)' needs an API key: set the environment variable \(variable)"
        case .circuitOpen(let model): "model '\(model)' is paused after repeated failures"
        }
    }
}
