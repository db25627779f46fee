import Foundation

extension WorkspaceConfig: Codable {
    enum CodingKeys: String, CodingKey {
        case name, models, routing, understanding, guardrails, cache, handoff, audit, prompts, roles, sandbox
        case rateLimits = "rate_limits"
        case entityPatterns = "entity_patterns"
    }

    public init(from decoder: Decoder) throws {
        let keys = try decoder.container(keyedBy: CodingKeys.self)
        self.init(name: try keys.decodeIfPresent(String.self, forKey: .name) ?? "My Store")
        models = try keys.decodeIfPresent([String: ModelConfig].self, forKey: .models) ?? [:]
        routing = try keys.decodeIfPresent(RoutingConfig.self, forKey: .routing) ?? routing
        understanding = try keys.decodeIfPresent(UnderstandingConfig.self, forKey: .understanding) ?? understanding
        guardrails = try keys.decodeIfPresent(GuardrailConfig.self, forKey: .guardrails) ?? guardrails
        cache = try keys.decodeIfPresent(CacheConfig.self, forKey: .cache) ?? cache
        rateLimits = try keys.decodeIfPresent(RateLimitConfig.self, forKey: .rateLimits) ?? rateLimits
        handoff = try keys.decodeIfPresent(HandoffConfig.self, forKey: .handoff) ?? handoff
        audit = try keys.decodeIfPresent(AuditConfig.self, forKey: .audit) ?? audit
        prompts = try keys.decodeIfPresent(PromptSelection.self, forKey: .prompts) ?? prompts
        roles = try keys.decodeIfPresent([String: String].self, forKey: .roles) ?? [:]
        entityPatterns = try keys.decodeIfPresent([String: String].self, forKey: .entityPatterns) ?? [:]
        sandbox = try keys.decodeIfPresent(Bool.self, forKey: .sandbox) ?? false
    }

    public func encode(to encoder: Encoder) throws {
        var keys = encoder.container(keyedBy: CodingKeys.self)
        try keys.encode(name, forKey: .name)
        try keys.encode(models, forKey: .models)
        try keys.encode(routing, forKey: .routing)
        try keys.encode(understanding, forKey: .understanding)
        try keys.encode(guardrails, forKey: .guardrails)
        try keys.encode(cache, forKey: .cache)
        try keys.encode(rateLimits, forKey: .rateLimits)
        try keys.encode(handoff, forKey: .handoff)
        try keys.encode(audit, forKey: .audit)
        try keys.encode(prompts, forKey: .prompts)
        try keys.encode(roles, forKey: .roles)
        try keys.encode(entityPatterns, forKey: .entityPatterns)
        try keys.encode(sandbox, forKey: .sandbox)
    }

    /// Reads `shoptalk.json`, turning decoding failures into messages that name the key and what it should be.
    public static func load(from url: URL) throws -> WorkspaceConfig {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw WorkspaceError.unreadable(file: url.path, reason: "cannot be read")
        }
        do {
            let config = try JSONDecoder().decode(WorkspaceConfig.self, from: data)
            try config.validate(file: url.path)
            return config
        } catch let error as DecodingError {
            throw describe(error, file: url.path, data: data)
        }
    }

    /// Checks the references between settings: routed models exist, roles are known.
    public func validate(file: String) throws {
        let known = Set(models.keys).union(["builtin"])
        let routed =
            [("routing.default", routing.defaultModel)]
            + routing.intents.map { ("routing.intents.\($0.key)", $0.value) }
            + routing.fallback.map { ("routing.fallback", $0) }
        for (key, model) in routed where !known.contains(model) {
            throw WorkspaceError.invalidConfig(
                file: file, key: key,
                expected:
                    "names model '\(model)', which is not defined (known: \(known.sorted().joined(separator: ", ")))")
        }
        let roleNames: Set = ["viewer", "author", "approver", "admin"]
        for (user, role) in roles where !roleNames.contains(role) {
            throw WorkspaceError.invalidConfig(
                file: file, key: "roles.\(user)",
                expected: "must be one of viewer, author, approver, admin, not '\(role)'")
        }
        for (name, model) in models where model.kind != "openai" && model.kind != "builtin" {
            throw WorkspaceError.invalidConfig(
                file: file, key: "models.\(name).kind", expected: "must be 'openai' or 'builtin', not '\(model.kind)'")
        }
        if let threshold = understanding.threshold, !(0...1).contains(threshold) {
            throw WorkspaceError.invalidConfig(
                file: file, key: "understanding.threshold",
                expected: "must be a probability from 0 to 1, not \(threshold)")
        }
        if let embeddings = understanding.embeddings {
            if !(embeddings.weight > 0) {
                throw WorkspaceError.invalidConfig(
                    file: file, key: "understanding.embeddings.weight", expected: "must be greater than 0")
            }
            if !(embeddings.timeoutSeconds > 0) {
                throw WorkspaceError.invalidConfig(
                    file: file, key: "understanding.embeddings.timeout_seconds", expected: "must be greater than 0")
            }
        }
        for (kind, pattern) in entityPatterns where (try? NSRegularExpression(pattern: pattern)) == nil {
            throw WorkspaceError.invalidConfig(
                file: file, key: "entity_patterns.\(kind)", expected: "is not a valid regular expression")
        }
    }

    private static func describe(_ error: DecodingError, file: String, data: Data) -> WorkspaceError {
        func path(_ context: DecodingError.Context) -> String {
            let keys = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }
            return keys.isEmpty ? "(top level)" : keys.joined(separator: ".")
        }
        switch error {
        case .typeMismatch(let type, let context), .valueNotFound(let type, let context):
            return .invalidConfig(file: file, key: path(context), expected: "should be \(describe(type))")
        case .keyNotFound(let key, let context):
            return .invalidConfig(file: file, key: path(context) + "." + key.stringValue, expected: "is required")
        case .dataCorrupted(let context):
            // The decoder does not say where the syntax broke; JSONSerialization names the character.
            var detail = context.debugDescription
            var line = 1
            do {
                _ = try JSONSerialization.jsonObject(with: data)
            } catch {
                detail = (error as NSError).userInfo["NSDebugDescription"] as? String ?? detail
                // A file that ends too early has no character offset: the fault is on its last written line.
                let lastWritten = (data.lastIndex { !Character(UnicodeScalar($0)).isWhitespace } ?? 0) + 1
                let offset = characterOffset(in: detail) ?? (detail.contains("end of file") ? lastWritten : 0)
                line = data.prefix(offset).reduce(1) { $1 == UInt8(ascii: "\n") ? $0 + 1 : $0 }
            }
            return .malformed(file: file, line: line, expected: "valid JSON (\(detail))")
        @unknown default:
            return .unreadable(file: file, reason: "\(error)")
        }
    }

    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Bool.Type: "true or false"
        case is Int.Type, is Double.Type: "a number"
        case is [String].Type: "a list of strings"
        default: "an object"
        }
    }

    private static func characterOffset(in text: String) -> Int? {
        guard let range = text.range(of: #"character \d+"#, options: .regularExpression) else { return nil }
        return Int(text[range].dropFirst(10))
    }
}
