import Foundation

/// Problems with a session command: an unknown customer, model or rating.
public enum SessionError: Error, CustomStringConvertible, Sendable, Equatable {
    case unknownCustomer(String)
    case unknownModel(String, known: [String])
    case badRating(String)
    case noTurnYet

    public var description: String {
        switch self {
        case .unknownCustomer(let id): "no customer '\(id)' in customers.csv"
        case .unknownModel(let name, let known): "no model '\(name)' (known: \(known.joined(separator: ", ")))"
        case .badRating(let text): "'\(text)' is not a rating: expected a whole number from 1 to 5"
        case .noTurnYet: "there is no turn to rate yet: send a message first"
        }
    }
}

/// One conversation with one (possibly anonymous) customer. Turns run one at a time, in order.
public actor Session {
    public nonisolated let id: String
    public nonisolated let engine: Engine
    /// The response cache: the engine's, or the session's own when it runs isolated.
    public nonisolated let cache: ResponseCache
    nonisolated let rateLimiter: RateLimiter
    public private(set) var customer: Customer?
    /// The prompt version new turns use.
    public private(set) var prompt: PromptVersion
    /// The model every generated turn uses, overriding routing.
    public private(set) var modelOverride: String?
    /// A pinned clock for reproducible date decisions; `nil` follows the system clock.
    public private(set) var pinnedNow: Date?
    public internal(set) var turns: [Turn] = []
    /// The sampling seed passed to models that accept one.
    public var seed: Int?

    /// Recorded model outputs a replay may reuse, by rendered prompt hash.
    var replay: ReplaySource?
    var consecutiveFallbacks = 0
    /// Personal data found in the customer's messages so far, redacted wherever it is quoted.
    var personalDataSeen: [(kind: String, value: String)] = []
    var offeredHandoff = false
    var handoff: HandoffSummary?

    init(engine: Engine, id: String?, customerID: String?, isolated: Bool, cache: ResponseCache? = nil) throws {
        self.engine = engine
        self.cache = cache ?? (isolated ? ResponseCache(capacity: engine.config.cache.maxEntries) : engine.cache)
        rateLimiter = isolated ? RateLimiter(config: engine.config.rateLimits) : engine.rateLimiter
        self.id = id ?? "s-" + UUID().uuidString.prefix(8).lowercased()
        let selection = engine.config.prompts
        prompt = try engine.registry.resolve("\(selection.name)@\(selection.label)")
        if let customerID {
            guard let found = try engine.index.customer(id: customerID) else {
                throw SessionError.unknownCustomer(customerID)
            }
            customer = found
        }
    }

    /// The time every date decision of the next turn uses.
    public var now: Date { pinnedNow ?? Date() }

    /// Acts as this signed-in customer from the next turn on; `nil` signs out.
    public func signIn(_ customerID: String?) throws {
        guard let customerID else {
            customer = nil
            return
        }
        guard let found = try engine.index.customer(id: customerID) else {
            throw SessionError.unknownCustomer(customerID)
        }
        customer = found
    }

    /// Pins the prompt: `NAME@vN`, `NAME@LABEL` or `NAME`.
    public func usePrompt(_ reference: String) throws {
        prompt = try engine.registry.resolve(reference)
    }

    /// Serves every generated turn with `name`; `nil` returns to routing.
    public func useModel(_ name: String?) throws {
        if let name, engine.models[name] == nil {
            throw SessionError.unknownModel(name, known: engine.modelNames)
        }
        modelOverride = name
    }

    /// Pins the session clock; `nil` follows the system clock again.
    public func pinClock(_ date: Date?) {
        pinnedNow = date
    }

    /// Sets the sampling seed.
    public func setSeed(_ value: Int?) {
        seed = value
    }

    /// Makes this session a replay: model outputs recorded for an unchanged rendered prompt are reused, and
    /// outside models are called only when `live` is set.
    ///
    /// - Parameter original: the session being replayed, named in every turn this one records.
    public func replaying(_ recorded: [Turn], of original: String, live: Bool) {
        var outputs: [String: (ModelResponse, String)] = [:]
        for turn in recorded {
            guard let hash = turn.renderedPromptHash, let output = turn.modelOutput, let model = turn.model else {
                continue
            }
            let usage = turn.usage
            let response = ModelResponse(
                text: output, inputTokens: usage?.inputTokens ?? 0, outputTokens: usage?.outputTokens ?? 0,
                cachedInputTokens: usage?.cachedInputTokens ?? 0)
            outputs[hash] = (response, model)
        }
        replay = ReplaySource(original: original, outputs: outputs.mapValues { ($0.0, $0.1) }, live: live)
    }

    /// Rates the latest turn from 1 to 5.
    public func rate(_ rating: Int, comment: String?) throws {
        guard let last = turns.last else { throw SessionError.noTurnYet }
        guard (1...5).contains(rating) else { throw SessionError.badRating(String(rating)) }
        let at = Self.timestamp(now)
        try engine.feedback.rate(sessionID: id, turn: last.index, rating: rating, comment: comment, at: at)
        let payload = #"{"rating":\#(rating),"turn":\#(last.index)}"#
        try engine.audit.append(
            kind: "feedback", at: at, sessionID: id, turn: last.index,
            customerID: customer?.id, payload: payload)
    }

    /// ISO 8601 in UTC, to the second.
    public static func timestamp(_ date: Date) -> String {
        date.ISO8601Format()
    }
}

/// What a replaying session may reuse.
struct ReplaySource: Sendable {
    var original: String
    var outputs: [String: (response: ModelResponse, model: String)]
    var live: Bool
}
