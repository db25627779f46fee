import Foundation
import Testing

@testable import ShopTalkKit

@Suite("Workspace config")
struct WorkspaceConfigTests {
    /// Writes `json` as shoptalk.json in a fresh directory and loads it.
    private func load(_ json: String) throws -> WorkspaceConfig {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        return try WorkspaceConfig.load(from: directory.write(json, to: "shoptalk.json"))
    }

    /// The error `load` throws for `json`, with its key (or line) and message.
    private func failure(_ json: String) throws -> WorkspaceError {
        try #require(throws: WorkspaceError.self) { try load(json) }
    }

    @Test func aNameAloneIsACompleteConfig() throws {
        let config = try load(#"{"name": "X"}"#)
        #expect(config == WorkspaceConfig(name: "X"))
        #expect(config.models.isEmpty)
        #expect(config.routing.defaultModel == "builtin")
        #expect(config.routing.fallback == ["builtin"])
        #expect(config.guardrails.maxInputCharacters == 2000)
        #expect(config.guardrails.injectionThreshold == 0.7)
        #expect(config.rateLimits.perMinute == 30)
        #expect(config.cache.enabled)
        #expect(config.prompts.name == "support")
        #expect(config.prompts.label == "production")
        #expect(config.audit.retentionDays == 365)
        #expect(config.roles.isEmpty)
        #expect(!config.sandbox)
    }

    @Test func theDesignExampleLoads() throws {
        let json = """
            {
              "name": "Harbour Lane Home",
              "models": {
                "local": {"kind": "openai", "base_url": "http://127.0.0.1:11434/v1",
                          "model": "llama3.2", "api_key_env": null,
                          "price": {"input": 0.0, "output": 0.0, "cached_input": 0.0}},
                "large": {"kind": "openai", "base_url": "https://api.example.com/v1",
                          "model": "some-large-model", "api_key_env": "LLM_API_KEY",
                          "price": {"input": 2.5, "output": 10.0, "cached_input": 1.25}}
              },
              "routing": {"default": "builtin", "intents": {"complaint": "large"},
                          "fallback": ["local", "builtin"]},
              "roles": {"ann": "author", "bob": "approver", "cleo": "admin"},
              "rate_limits": {"per_minute": 5},
              "sandbox": false
            }
            """
        let config = try load(json)
        #expect(config.models["large"]?.apiKeyEnv == "LLM_API_KEY")
        #expect(config.models["large"]?.price == ModelPrice(input: 2.5, output: 10, cachedInput: 1.25))
        #expect(config.models["local"]?.baseURL == "http://127.0.0.1:11434/v1")
        #expect(config.routing.intents == ["complaint": "large"])
        #expect(config.routing.fallback == ["local", "builtin"])
        #expect(config.roles["bob"] == "approver")
        #expect(config.rateLimits.perMinute == 5)
        #expect(config.rateLimits.burst == 10)
    }

    @Test func encodingAndDecodingRoundTrips() throws {
        var config = WorkspaceConfig(name: "Round")
        config.models["large"] = ModelConfig(kind: "openai", baseURL: "https://x.example/v1", model: "m")
        config.routing.intents = ["complaint": "large"]
        config.roles = ["ann": "admin"]
        config.sandbox = true
        let decoded = try JSONDecoder().decode(WorkspaceConfig.self, from: JSONEncoder().encode(config))
        #expect(decoded == config)
    }

    @Test func aWrongTypeNamesTheKeyPath() throws {
        let error = try failure(#"{"rate_limits": {"per_minute": "many"}}"#)
        guard case .invalidConfig(_, let key, let expected) = error else {
            Issue.record("expected .invalidConfig, got \(error)")
            return
        }
        #expect(key == "rate_limits.per_minute")
        #expect(expected.contains("a number"))
        #expect(error.description.contains("rate_limits.per_minute"))
    }

    @Test func aWrongTypeInANestedModelNamesItsPath() throws {
        let error = try failure(#"{"models": {"large": {"kind": "openai", "timeout_seconds": "soon"}}}"#)
        #expect(error.description.contains("models.large.timeout_seconds"))
        #expect(try failure(#"{"sandbox": "yes"}"#).description.contains("'sandbox' should be true or false"))
    }

    @Test func anEmbeddingsBackendNeedsOnlyItsURL() throws {
        let config = try load(
            #"{"name": "X", "understanding": {"embeddings": {"base_url": "http://127.0.0.1:8089/v1"}}}"#)
        #expect(config.understanding.embeddings == EmbeddingsConfig(baseURL: "http://127.0.0.1:8089/v1"))
        #expect(config.understanding.embeddings?.weight == 1)

        #expect(try failure(#"{"understanding": {"threshold": 1.5}}"#).description.contains("from 0 to 1"))
        #expect(
            try failure(#"{"understanding": {"embeddings": {"base_url": "u", "weight": 0}}}"#).description.contains(
                "understanding.embeddings.weight"))
        let missing = try failure(#"{"understanding": {"embeddings": {"model": "e5"}}}"#)
        #expect(missing.description.contains("understanding.embeddings.base_url"), "\(missing)")
        let warnings = WorkspaceConfig.unknownKeys(
            in: Data(#"{"understanding": {"embeddings": {"base_url": "u", "wieght": 2}}}"#.utf8), file: "shoptalk.json")
        #expect(
            warnings == [
                "shoptalk.json: unknown setting 'understanding.embeddings.wieght' is ignored (did you mean 'weight'?)"
            ])
    }

    @Test func routingToAnUndefinedModelIsRejectedNamingTheKey() throws {
        let intent = try failure(#"{"routing": {"intents": {"complaint": "large"}}}"#)
        guard case .invalidConfig(let file, let key, let expected) = intent else {
            Issue.record("expected .invalidConfig, got \(intent)")
            return
        }
        #expect(file.hasSuffix("shoptalk.json"))
        #expect(key == "routing.intents.complaint")
        #expect(expected.contains("'large'"))
        #expect(try failure(#"{"routing": {"default": "gpt"}}"#).description.contains("routing.default"))
        let fallback = try failure(#"{"routing": {"fallback": ["builtin", "local"]}}"#)
        #expect(fallback.description.contains("routing.fallback"))
    }

    @Test
    func invalidJSONIsMalformedWithTheLineNumber() throws {
        let error = try failure("{\n  \"name\": \"X\",\n  \"sandbox\": tru\n}\n")
        guard case .malformed(let file, let line, _) = error else {
            Issue.record("expected .malformed, got \(error)")
            return
        }
        #expect(file.hasSuffix("shoptalk.json"))
        #expect(line == 3)
    }

    @Test func invalidJSONIsMalformed() throws {
        let error = try failure("{\"name\": ")
        guard case .malformed(_, let line, let expected) = error else {
            Issue.record("expected .malformed, got \(error)")
            return
        }
        #expect(line == 1)
        #expect(expected.contains("valid JSON"))

        // A file cut short is faulted on its last written line, not on its first.
        let truncated = try failure("{\n  \"name\": \"X\",\n  \"cache\": {\"enabled\": true}\n\n")
        guard case .malformed(_, let truncatedLine, _) = truncated else {
            Issue.record("expected .malformed, got \(truncated)")
            return
        }
        #expect(truncatedLine == 3)
    }

    @Test func anUnknownRoleIsRejected() throws {
        let error = try failure(#"{"roles": {"ann": "author", "dan": "superuser"}}"#)
        guard case .invalidConfig(_, let key, let expected) = error else {
            Issue.record("expected .invalidConfig, got \(error)")
            return
        }
        #expect(key == "roles.dan")
        #expect(expected.contains("superuser"))
    }

    @Test func anUnknownModelKindIsRejected() throws {
        let error = try failure(#"{"models": {"odd": {"kind": "grpc"}}}"#)
        guard case .invalidConfig(_, let key, let expected) = error else {
            Issue.record("expected .invalidConfig, got \(error)")
            return
        }
        #expect(key == "models.odd.kind")
        #expect(expected.contains("'grpc'"))
    }

    @Test func anInvalidEntityPatternIsRejected() throws {
        let error = try failure(#"{"entity_patterns": {"gift_card": "GC-("}}"#)
        #expect(error.description.contains("entity_patterns.gift_card"))
    }

    @Test func aMissingFileIsUnreadable() throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        let error = try #require(throws: WorkspaceError.self) {
            try WorkspaceConfig.load(from: directory.url.appendingPathComponent("shoptalk.json"))
        }
        guard case .unreadable = error else {
            Issue.record("expected .unreadable, got \(error)")
            return
        }
    }

    @Test func unknownSettingsAreNamedWithTheNearestKnownOne() {
        let json =
            #"{"nme": "X", "rate_limits": {"brust": 3}, "models": {"local": {"modle": "m"}}, "roles": {"ann": "admin"}}"#
        let warnings = WorkspaceConfig.unknownKeys(in: Data(json.utf8), file: "shoptalk.json")
        #expect(
            Set(warnings) == [
                "shoptalk.json: unknown setting 'nme' is ignored (did you mean 'name'?)",
                "shoptalk.json: unknown setting 'models.local.modle' is ignored (did you mean 'model'?)",
                "shoptalk.json: unknown setting 'rate_limits.brust' is ignored (did you mean 'burst'?)",
            ])
        #expect(warnings.count == 3)
    }

    @Test func aCompleteConfigHasNoUnknownSettings() throws {
        let sample = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("samples/retailer/shoptalk.json")
        #expect(WorkspaceConfig.unknownKeys(in: try Data(contentsOf: sample), file: "shoptalk.json").isEmpty)
    }
}
