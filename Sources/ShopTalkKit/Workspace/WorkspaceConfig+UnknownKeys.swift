import Foundation

extension WorkspaceConfig {
    /// The keys each settings object accepts; objects keyed by the user's own names (models, roles, …) are
    /// checked one level down.
    private static let knownKeys: [String: Set<String>] = [
        "": [
            "name", "models", "routing", "understanding", "guardrails", "cache", "rate_limits", "handoff", "audit",
            "prompts", "roles", "entity_patterns", "sandbox",
        ],
        "models.*": ["kind", "base_url", "model", "api_key_env", "price", "timeout_seconds"],
        "models.*.price": ["input", "output", "cached_input"],
        "routing": ["default", "intents", "fallback", "template_intents"],
        "understanding": ["threshold", "embeddings"],
        "understanding.embeddings": ["base_url", "model", "api_key_env", "weight", "timeout_seconds"],
        "guardrails": ["max_input_chars", "injection_threshold", "forbidden_phrases"],
        "cache": ["enabled", "max_entries"],
        "rate_limits": ["per_minute", "burst"],
        "handoff": ["after_fallbacks", "human_only_intents", "next_steps"],
        "audit": ["retention_days"],
        "prompts": ["name", "label"],
    ]

    /// Warnings for keys the settings do not know, each naming the nearest known key: a misspelt key would
    /// otherwise be ignored without a word and its default silently used.
    public static func unknownKeys(in data: Data, file: String) -> [String] {
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return [] }
        var warnings: [String] = []
        func check(_ object: [String: Any], path: String, pattern: String) {
            guard let known = knownKeys[pattern] else { return }
            for key in object.keys.sorted() where !known.contains(key) {
                let nearest = known.min { EditDistance.between($0, key) < EditDistance.between($1, key) }
                let hint = nearest.map { EditDistance.between($0, key) <= 3 ? " (did you mean '\($0)'?)" : "" } ?? ""
                let place = path.isEmpty ? key : path + "." + key
                warnings.append("\(file): unknown setting '\(place)' is ignored\(hint)")
            }
            for (key, value) in object {
                guard let child = value as? [String: Any] else { continue }
                let childPath = path.isEmpty ? key : path + "." + key
                let childPattern = pattern.isEmpty ? key : pattern + "." + key
                if knownKeys[childPattern] != nil {
                    check(child, path: childPath, pattern: childPattern)
                } else if knownKeys[childPattern + ".*"] != nil {
                    for (name, entry) in child {
                        if let entry = entry as? [String: Any] {
                            check(entry, path: childPath + "." + name, pattern: childPattern + ".*")
                        }
                    }
                }
            }
        }
        check(object, path: "", pattern: "")
        return warnings
    }

}
