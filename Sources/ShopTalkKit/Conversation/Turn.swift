import Foundation

/// Everything one turn of the conversation decided, stage by stage: the spine of tracing, auditing,
/// script assertions and replay.
public struct Turn: Codable, Sendable {
    public var sessionID: String
    /// 1-based position of the turn in its session.
    public var index: Int
    /// The session clock's time when the message arrived (ISO 8601).
    public var at: String
    public var customerID: String?
    /// The message after input normalisation.
    public var message: String
    public var reply: String
    public var intent: IntentPrediction?
    public var entities: [Entity] = []
    public var route: Route
    public var retrieved: [RetrievedItem] = []
    /// `name@vN` of the prompt version used, when one was.
    public var prompt: String?
    /// The hash of the exact messages sent to the model (after masking).
    public var renderedPromptHash: String?
    /// The messages sent to the model, personal data masked.
    public var rendered: [ChatMessage] = []
    /// `hit`, `miss` or `skip`.
    public var cache: String = "skip"
    public var model: String?
    /// The model's own text, before unmasking and output guards, for replays that reuse it.
    public var modelOutput: String?
    public var usage: Usage?
    public var attempts: [ModelAttempt] = []
    public var guards: [GuardVerdict] = []
    public var handoff: HandoffSummary?
    /// Notable facts for audit: `foreign_order`, `fallback`, `replay`…
    public var flags: [String] = []
    public var timings: [StageTiming] = []
    public var latencyMicros: Int = 0

    /// Whether a guard with this name fired on the turn.
    public func guarded(_ name: String) -> Bool {
        guards.contains { $0.name == name && $0.action != "pass" }
    }
}

/// How a turn was routed.
public struct Route: Codable, Sendable, Hashable {
    /// `generate`, `template`, `handoff`, `refuse` or `empty`.
    public var kind: String
    /// Why: `intent`, `human_requested`, `repeated_fallback`, `human_only_intent`, `injection`, `rate_limit`…
    public var reason: String
    public var model: String?

    public init(kind: String, reason: String, model: String? = nil) {
        self.kind = kind
        self.reason = reason
        self.model = model
    }
}

/// A record the turn retrieved: an order, an article or a product, with the version used.
public struct RetrievedItem: Codable, Sendable, Hashable {
    /// `order`, `article` or `product`.
    public var kind: String
    public var id: String
    public var version: String
    public var score: Double?
}

/// Tokens and cost of the model call that served a turn.
public struct Usage: Codable, Sendable, Hashable {
    public var inputTokens: Int
    public var outputTokens: Int
    public var cachedInputTokens: Int
    /// In the currency the model's price is given in, per DESIGN's per-million-token prices.
    public var cost: Double
}

/// One try at a model, successful or not.
public struct ModelAttempt: Codable, Sendable, Hashable {
    public var model: String
    /// `ok` or `error`.
    public var outcome: String
    public var error: String?
    public var micros: Int

    public init(model: String, outcome: String, error: String?, micros: Int) {
        self.model = model
        self.outcome = outcome
        self.error = error
        self.micros = micros
    }
}

/// The handoff a turn created.
public struct HandoffSummary: Codable, Sendable, Hashable {
    public var id: String
    public var reason: String
}

/// How long a stage of the turn took.
public struct StageTiming: Codable, Sendable, Hashable {
    public var stage: String
    public var micros: Int
}
