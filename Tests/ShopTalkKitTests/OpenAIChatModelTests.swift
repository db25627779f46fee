import Foundation
import Testing

@testable import ShopTalkKit

@Suite("OpenAI-compatible chat model")
struct OpenAIChatModelTests {
    private let request = ModelRequest(
        messages: [
            ChatMessage(role: "system", content: "Be brief."),
            ChatMessage(role: "user", content: "Where is my order?"),
        ],
        temperature: 0.3, maxTokens: 120, seed: 7
    )

    private func model(_ server: LoopbackServer, apiKey: String? = nil, timeout: Double = 5) -> OpenAIChatModel {
        OpenAIChatModel(name: "local", baseURL: server.baseURL, model: "llama3", apiKey: apiKey, timeout: timeout)
    }

    private static func completion(_ text: String, usage: String? = nil) -> String {
        let usagePart = usage.map { #","usage":\#($0)"# } ?? ""
        let choice = #"{"message":{"role":"assistant","content":"\#(text)"},"finish_reason":"stop"}"#
        return #"{"choices":[\#(choice)]\#(usagePart)}"#
    }

    @Test func completionReadsTextUsageAndCachedTokens() async throws {
        let server = try LoopbackServer { _ in
            .json(
                Self.completion(
                    "It ships tomorrow.",
                    usage: #"{"prompt_tokens":42,"completion_tokens":5,"prompt_tokens_details":{"cached_tokens":32}}"#
                )
            )
        }
        let response = try await model(server).complete(request)
        #expect(
            response
                == ModelResponse(
                    text: "It ships tomorrow.", inputTokens: 42, outputTokens: 5, cachedInputTokens: 32,
                    finishReason: "stop"
                ))
        let sent = try #require(server.requests.first)
        #expect(sent.method == "POST")
        #expect(sent.path == "/v1/chat/completions")
        #expect(sent.json["model"] as? String == "llama3")
        #expect(sent.json["temperature"] as? Double == 0.3)
        #expect(sent.json["max_tokens"] as? Int == 120)
        #expect(sent.json["seed"] as? Int == 7)
        #expect(sent.json["stream"] as? Bool == false)
        #expect((sent.json["messages"] as? [[String: String]])?.last?["content"] == "Where is my order?")
        #expect(sent.headers["authorization"] == nil)
    }

    @Test func missingUsageIsEstimatedAtFourCharactersPerToken() async throws {
        let server = try LoopbackServer { _ in .json(Self.completion("Twelve chars")) }
        let unseeded = ModelRequest(messages: [ChatMessage(role: "user", content: "Seventeen chars!!")])
        let response = try await model(server).complete(unseeded)
        #expect(response.inputTokens == 5)
        #expect(response.outputTokens == 3)
        #expect(response.cachedInputTokens == 0)
        #expect(server.requests.first?.json.keys.contains("seed") == false)
    }

    @Test func apiKeyIsSentAsBearerTokenAndMaskedInErrors() async throws {
        let key = "sk-test-4f9a2c7e1b"
        let server = try LoopbackServer { request in
            let echoed = request.headers["authorization"] ?? ""
            return .json(#"{"error":{"message":"Incorrect API key provided: \#(echoed)"}}"#, status: 401)
        }
        let model = model(server, apiKey: key)
        let error = await #expect(throws: ModelError.self) { try await model.complete(request) }
        let fault = try #require(error)
        guard case .http(_, let status, let body) = fault else {
            Issue.record("expected an HTTP error, got \(fault)")
            return
        }
        #expect(status == 401)
        #expect(body.contains("Incorrect API key"))
        #expect(!fault.description.contains(key))
        #expect(!String(describing: model).contains(key))
        #expect(!String(reflecting: model).contains(key))
        #expect(server.requests.first?.headers["authorization"] == "Bearer \(key)")
    }

    @Test func missingAPIKeyFailsWithoutCallingTheServer() async throws {
        let server = try LoopbackServer { _ in .json(Self.completion("unused")) }
        let model = OpenAIChatModel(
            name: "openai", baseURL: server.baseURL, model: "gpt-4o-mini", apiKey: nil,
            apiKeyVariable: "OPENAI_API_KEY", timeout: 5
        )
        await #expect(throws: ModelError.missingAPIKey(model: "openai", variable: "OPENAI_API_KEY")) {
            try await model.complete(request)
        }
        #expect(server.requests.isEmpty)
    }

    @Test func slowServerTimesOut() async throws {
        let server = try LoopbackServer { _ in .stalled(for: 3) }
        await #expect(throws: ModelError.timedOut(model: "local", seconds: 0.3)) {
            try await model(server, timeout: 0.3).complete(request)
        }
        #expect(server.requests.count == 1)
    }

    @Test func cancellingAnExchangeWithASilentServerEndsItInsteadOfWaitingForTheAnswer() async throws {
        let server = try LoopbackServer { _ in .stalled(for: 5) }
        let request = HTTPRequest(url: server.baseURL.appendingPathComponent("chat/completions"), body: Data("{}".utf8))
        let exchange = Task { try await HTTPTransport.send(request) }
        try await Task.sleep(for: .milliseconds(300))
        exchange.cancel()
        // Ignoring the cancellation would return the server's answer once its stall ends.
        await #expect(throws: CancellationError.self) { try await exchange.value }
    }

    @Test func aStreamThatFallsSilentTimesOutWhileOneThatKeepsTalkingDoesNot() async throws {
        let event = Data(#"data: {"choices":[{"delta":{"content":"word "}}]}"#.utf8) + Data("\n\n".utf8)
        let steady = try LoopbackServer { _ in .events(Array(repeating: event, count: 8), delay: 0.15) }
        var text = ""
        for try await piece in model(steady, timeout: 0.6).stream(request) { text += piece }
        #expect(text == String(repeating: "word ", count: 8))

        let silent = try LoopbackServer { _ in .events([event, event], delay: 2) }
        await #expect(throws: ModelError.timedOut(model: "local", seconds: 0.6)) {
            for try await _ in model(silent, timeout: 0.6).stream(request) {}
        }
    }

    @Test func closedPortIsUnreachable() async throws {
        let port = try LoopbackServer.closedPort()
        let baseURL = try #require(URL(string: "http://127.0.0.1:\(port)/v1"))
        let model = OpenAIChatModel(name: "local", baseURL: baseURL, model: "llama3", apiKey: nil, timeout: 5)
        let error = await #expect(throws: ModelError.self) { try await model.complete(request) }
        guard case .unreachable(let name, let detail) = try #require(error) else {
            Issue.record("expected unreachable, got \(String(describing: error))")
            return
        }
        #expect(name == "local")
        #expect(detail.contains("127.0.0.1:\(port)"))
        #expect(error?.isRetryable == true)
    }

    @Test func bodyThatIsNotACompletionIsMalformed() async throws {
        let server = try LoopbackServer { _ in .json(#"{"object":"list","data":[]}"#) }
        let error = await #expect(throws: ModelError.self) { try await model(server).complete(request) }
        guard case .malformedResponse = try #require(error) else {
            Issue.record("expected malformedResponse, got \(String(describing: error))")
            return
        }
        #expect(server.requests.count == 1)
    }

    @Test func streamReassemblesDeltasSplitMidLineAndMidCharacter() async throws {
        let pieces: [Data] = [
            Data(#"data: {"choices":[{"delta":{"role":"assistant","content":"Your "}}]}"#.utf8) + Data("\n\nda".utf8),
            Data(#"ta: {"choices":[{"delta":{"content":"caf"#.utf8) + Data([0xC3]),
            Data([0xA9]) + Data(#" order"}}]}"#.utf8) + Data("\r\n\r".utf8),
            Data("\n: keep-alive\n\n".utf8) + Data(#"data: {"choices":[{"delta":{"content":" ships."},"#.utf8),
            Data(#""finish_reason":"stop"}]}"#.utf8) + Data("\n\n".utf8),
            Data(#"data: {"choices":[],"usage":{"prompt_tokens":9,"completion_tokens":4}}"#.utf8) + Data("\n\n".utf8),
            Data("data: [DONE]\n\n".utf8),
        ]
        let server = try LoopbackServer { _ in .events(pieces) }
        var deltas: [String] = []
        var final: ModelResponse?
        for try await event in model(server).events(request) {
            switch event {
            case .delta(let text): deltas.append(text)
            case .done(let response): final = response
            }
        }
        #expect(deltas == ["Your ", "café order", " ships."])
        #expect(
            final
                == ModelResponse(
                    text: "Your café order ships.", inputTokens: 9, outputTokens: 4, finishReason: "stop"
                ))
        let sent = try #require(server.requests.first)
        #expect(sent.json["stream"] as? Bool == true)
        #expect((sent.json["stream_options"] as? [String: Bool])?["include_usage"] == true)
        #expect(sent.headers["accept"] == "text/event-stream")
    }

    @Test func textStreamYieldsOnlyDeltas() async throws {
        let pieces = ["Hel", "lo", "!"].map {
            Data(#"data: {"choices":[{"delta":{"content":"\#($0)"}}]}"#.utf8) + Data("\n\n".utf8)
        }
        let server = try LoopbackServer { _ in .events(pieces + [Data("data: [DONE]\n\n".utf8)]) }
        var text = ""
        for try await piece in model(server).stream(request) { text += piece }
        #expect(text == "Hello!")
        #expect(server.requests.count == 1)
    }

    @Test func streamReportsHTTPErrorsWithStatusAndBody() async throws {
        let server = try LoopbackServer { _ in .json(#"{"error":"model is loading"}"#, status: 503) }
        var events: [ModelStreamEvent] = []
        let error = await #expect(throws: ModelError.self) {
            for try await event in model(server).events(request) { events.append(event) }
        }
        #expect(error == .http(model: "local", status: 503, body: #"{"error":"model is loading"}"#))
        #expect(events.isEmpty)
    }

    @Test func streamFromServerIgnoringStreamFlagStillAnswers() async throws {
        let server = try LoopbackServer { _ in .json(Self.completion("Plain reply")) }
        var events: [ModelStreamEvent] = []
        for try await event in model(server).events(request) { events.append(event) }
        #expect(events.first == .delta("Plain reply"))
        guard case .done(let response) = events.last else {
            Issue.record("the stream did not end with .done")
            return
        }
        #expect(response.text == "Plain reply")
    }
}

@Suite("Server-sent event parser")
struct ServerSentEventParserTests {
    @Test func eventsSurviveBeingFedOneByteAtATime() {
        let stream = Data(
            "data: {\"a\":\"é\"}\r\n\r\n: comment\ndata: line one\ndata: line two\n\ndata: [DONE]\n\n".utf8
        )
        var parser = ServerSentEventParser()
        var events: [String] = []
        for byte in stream { events += parser.feed([byte]) }
        events += parser.finish()
        #expect(events == [#"{"a":"é"}"#, "line one\nline two", "[DONE]"])
    }

    @Test func unterminatedLastEventIsDeliveredAtFinish() {
        var parser = ServerSentEventParser()
        #expect(parser.feed(Data("data: tail".utf8)).isEmpty)
        #expect(parser.finish() == ["tail"])
    }
}
