import Foundation

/// The settings of `shoptalk.json`; every key has a default, so `{"name": "My Store"}` is complete.
public struct WorkspaceConfig: Sendable, Equatable {
    public var name: String
    public var models: [String: ModelConfig]
    public var routing: RoutingConfig
    public var understanding: UnderstandingConfig
    public var guardrails: GuardrailConfig
    public var cache: CacheConfig
    public var rateLimits: RateLimitConfig
    public var handoff: HandoffConfig
    public var audit: AuditConfig
    public var prompts: PromptSelection
    /// User name to role (`viewer`, `author`, `approver`, `admin`).
    public var roles: [String: String]
    /// Extra entity patterns: entity kind to regular expression.
    public var entityPatterns: [String: String]
    /// A sandbox lets scripts and shell commands override guardrails.
    public var sandbox: Bool

    public init(name: String = "My Store") {
        self.name = name
        models = [:]
        routing = RoutingConfig()
        understanding = UnderstandingConfig()
        guardrails = GuardrailConfig()
        cache = CacheConfig()
        rateLimits = RateLimitConfig()
        handoff = HandoffConfig()
        audit = AuditConfig()
        prompts = PromptSelection()
        roles = [:]
        entityPatterns = [:]
        sandbox = false
    }
}

/// One model backend as configured.
public struct ModelConfig: Codable, Sendable, Equatable {
    /// `openai` for any OpenAI-compatible server, `builtin` for the offline responder.
    public var kind: String
    public var baseURL: String?
    public var model: String?
    /// The environment variable holding the API key; the key itself is never stored.
    public var apiKeyEnv: String?
    public var price: ModelPrice
    public var timeoutSeconds: Double

    enum CodingKeys: String, CodingKey {
        case kind, model, price
        case baseURL = "base_url"
        case apiKeyEnv = "api_key_env"
        case timeoutSeconds = "timeout_seconds"
    }

    public init(
        kind: String = "builtin", baseURL: String? = nil, model: String? = nil, apiKeyEnv: String? = nil,
        price: ModelPrice = ModelPrice(), timeoutSeconds: Double = 30
    ) {
        self.kind = kind
        self.baseURL = baseURL
        self.model = model
        self.apiKeyEnv = apiKeyEnv
        self.price = price
        self.timeoutSeconds = timeoutSeconds
    }

    public init(from decoder: Decoder) throws {
        let keys = try decoder.container(keyedBy: CodingKeys.self)
        kind = try keys.decodeIfPresent(String.self, forKey: .kind) ?? "openai"
        baseURL = try keys.decodeIfPresent(String.self, forKey: .baseURL)
        model = try keys.decodeIfPresent(String.self, forKey: .model)
        apiKeyEnv = try keys.decodeIfPresent(String.self, forKey: .apiKeyEnv)
        price = try keys.decodeIfPresent(ModelPrice.self, forKey: .price) ?? ModelPrice()
        timeoutSeconds = try keys.decodeIfPresent(Double.self, forKey: .timeoutSeconds) ?? 30
    }
}

/// Which model serves which intent, and what to try when it fails.
public struct RoutingConfig: Codable, Sendable, Equatable {
    public var defaultModel: String = "builtin"
    public var intents: [String: String] = [:]
    public var fallback: [String] = ["builtin"]
    /// Intents answered by their reply template without calling a model.
    public var templateIntents: [String] = ["greeting", "thanks", "goodbye", "affirm", "deny"]

    enum CodingKeys: String, CodingKey {
        case intents, fallback
        case defaultModel = "default"
        case templateIntents = "template_intents"
    }

    public init() {}

    public init(from decoder: Decoder) throws {
        let keys = try decoder.container(keyedBy: CodingKeys.self)
        defaultModel = try keys.decodeIfPresent(String.self, forKey: .defaultModel) ?? defaultModel
        intents = try keys.decodeIfPresent([String: String].self, forKey: .intents) ?? intents
        fallback = try keys.decodeIfPresent([String].self, forKey: .fallback) ?? fallback
        templateIntents = try keys.decodeIfPresent([String].self, forKey: .templateIntents) ?? templateIntents
    }
}

/// Intent recognition settings.
public struct UnderstandingConfig: Codable, Sendable, Equatable {
    /// Confidence below which a message is out of scope; `nil` keeps the classifier's own default.
    public var threshold: Double?
    /// An embeddings backend whose sentence embeddings join the classifier's features; `nil` for none.
    public var embeddings: EmbeddingsConfig?

    public init() {}
}

/// Where the classifier's optional sentence embeddings come from: an OpenAI-compatible `/v1/embeddings` server.
public struct EmbeddingsConfig: Codable, Sendable, Equatable {
    /// The API root, such as `http://127.0.0.1:8089/v1`.
    public var baseURL: String
    /// The model id sent with each request.
    public var model: String
    /// The environment variable holding the API key; the key itself is never stored.
    public var apiKeyEnv: String?
    /// Length of the embedding part of a feature vector relative to the n-gram part.
    public var weight: Double
    /// Seconds one request may take before a turn goes on without the embedding.
    public var timeoutSeconds: Double

    enum CodingKeys: String, CodingKey {
        case model, weight
        case baseURL = "base_url"
        case apiKeyEnv = "api_key_env"
        case timeoutSeconds = "timeout_seconds"
    }

    public init(
        baseURL: String, model: String = "default", apiKeyEnv: String? = nil, weight: Double = 1,
        timeoutSeconds: Double = 10
    ) {
        self.baseURL = baseURL
        self.model = model
        self.apiKeyEnv = apiKeyEnv
        self.weight = weight
        self.timeoutSeconds = timeoutSeconds
    }

    public init(from decoder: Decoder) throws {
        let keys = try decoder.container(keyedBy: CodingKeys.self)
        baseURL = try keys.decode(String.self, forKey: .baseURL)
        model = try keys.decodeIfPresent(String.self, forKey: .model) ?? "default"
        apiKeyEnv = try keys.decodeIfPresent(String.self, forKey: .apiKeyEnv)
        weight = try keys.decodeIfPresent(Double.self, forKey: .weight) ?? 1
        timeoutSeconds = try keys.decodeIfPresent(Double.self, forKey: .timeoutSeconds) ?? 10
    }
}

/// Input and output guardrail settings.
public struct GuardrailConfig: Codable, Sendable, Equatable {
    public var maxInputCharacters: Int = 2000
    /// Injection score at or above which a message is refused.
    public var injectionThreshold: Double = 0.7
    /// Phrases the bot must never say (forbidden promises).
    public var forbiddenPhrases: [String] = [
        "guarantee", "guaranteed", "i promise", "we promise", "free of charge forever", "full refund immediately",
    ]

    enum CodingKeys: String, CodingKey {
        case maxInputCharacters = "max_input_chars"
        case injectionThreshold = "injection_threshold"
        case forbiddenPhrases = "forbidden_phrases"
    }

    public init() {}

    public init(from decoder: Decoder) throws {
        let keys = try decoder.container(keyedBy: CodingKeys.self)
        maxInputCharacters = try keys.decodeIfPresent(Int.self, forKey: .maxInputCharacters) ?? maxInputCharacters
        injectionThreshold = try keys.decodeIfPresent(Double.self, forKey: .injectionThreshold) ?? injectionThreshold
        forbiddenPhrases = try keys.decodeIfPresent([String].self, forKey: .forbiddenPhrases) ?? forbiddenPhrases
    }
}

/// Response cache settings.
public struct CacheConfig: Codable, Sendable, Equatable {
    public var enabled: Bool = true
    public var maxEntries: Int = 5000

    enum CodingKeys: String, CodingKey {
        case enabled
        case maxEntries = "max_entries"
    }

    public init() {}

    public init(from decoder: Decoder) throws {
        let keys = try decoder.container(keyedBy: CodingKeys.self)
        enabled = try keys.decodeIfPresent(Bool.self, forKey: .enabled) ?? enabled
        maxEntries = try keys.decodeIfPresent(Int.self, forKey: .maxEntries) ?? maxEntries
    }
}

/// Per-customer admission limits.
public struct RateLimitConfig: Codable, Sendable, Equatable {
    public var perMinute: Int = 30
    public var burst: Int = 10

    enum CodingKeys: String, CodingKey {
        case burst
        case perMinute = "per_minute"
    }

    public init() {}

    public init(from decoder: Decoder) throws {
        let keys = try decoder.container(keyedBy: CodingKeys.self)
        perMinute = try keys.decodeIfPresent(Int.self, forKey: .perMinute) ?? perMinute
        burst = try keys.decodeIfPresent(Int.self, forKey: .burst) ?? burst
    }
}

/// When a conversation goes to a person.
public struct HandoffConfig: Codable, Sendable, Equatable {
    /// Consecutive fallback answers after which the bot hands off.
    public var afterFallbacks: Int = 2
    /// Intents only a person may handle.
    public var humanOnlyIntents: [String] = []
    /// What the customer is told happens after a handoff.
    public var nextSteps = "A member of our team will reply here as soon as one is free."

    enum CodingKeys: String, CodingKey {
        case afterFallbacks = "after_fallbacks"
        case humanOnlyIntents = "human_only_intents"
        case nextSteps = "next_steps"
    }

    public init() {}

    public init(from decoder: Decoder) throws {
        let keys = try decoder.container(keyedBy: CodingKeys.self)
        afterFallbacks = try keys.decodeIfPresent(Int.self, forKey: .afterFallbacks) ?? afterFallbacks
        humanOnlyIntents = try keys.decodeIfPresent([String].self, forKey: .humanOnlyIntents) ?? humanOnlyIntents
        nextSteps = try keys.decodeIfPresent(String.self, forKey: .nextSteps) ?? nextSteps
    }
}

/// Audit log settings.
public struct AuditConfig: Codable, Sendable, Equatable {
    public var retentionDays: Int = 365

    enum CodingKeys: String, CodingKey {
        case retentionDays = "retention_days"
    }

    public init() {}

    public init(from decoder: Decoder) throws {
        let keys = try decoder.container(keyedBy: CodingKeys.self)
        retentionDays = try keys.decodeIfPresent(Int.self, forKey: .retentionDays) ?? retentionDays
    }
}

/// Which prompt a new session uses.
public struct PromptSelection: Codable, Sendable, Equatable {
    public var name: String = "support"
    public var label: String = "production"

    public init() {}

    public init(from decoder: Decoder) throws {
        let keys = try decoder.container(keyedBy: CodingKeys.self)
        name = try keys.decodeIfPresent(String.self, forKey: .name) ?? name
        label = try keys.decodeIfPresent(String.self, forKey: .label) ?? label
    }
}
