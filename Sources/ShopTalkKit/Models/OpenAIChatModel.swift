import Foundation

/// A backend for any server speaking the OpenAI chat-completions protocol: OpenAI, Ollama, llama.cpp's server,
/// vLLM, LM Studio and the like.
///
/// Token counts come from the reply's `usage`. Servers that leave it out get `TokenEstimate`'s count of about
/// four characters (UTF-8 bytes) per token for the prompt's message contents and for the reply, so budgets and
/// costs stay roughly right.
///
/// The API key is sent only in the `Authorization` header; it is masked in every error and never shown by
/// `description` or reflection.
public struct OpenAIChatModel: LanguageModel, CustomStringConvertible, CustomReflectable {
    /// The configured name (`local`, `openai`, …) used in errors, audits and routing.
    public let name: String
    /// The API root, such as `http://127.0.0.1:11434/v1`; requests go to `{baseURL}/chat/completions`.
    public let baseURL: URL
    /// The provider's model id sent as `model`.
    public let model: String
    /// Seconds a `complete(_:)` call may take before failing with `ModelError.timedOut`.
    ///
    /// For streams it bounds each wait for data instead, so a long reply may keep streaming as long as tokens
    /// keep coming.
    public let timeout: Double
    private let apiKey: String?
    private let apiKeyVariable: String?

    /// Creates a backend.
    ///
    /// - Parameters:
    ///   - apiKey: The bearer token, or `nil` for servers that need none.
    ///   - apiKeyVariable: The environment variable the key is read from. When given and `apiKey` is empty,
    ///     calls fail with `ModelError.missingAPIKey` naming it instead of reaching the server unauthenticated.
    public init(
        name: String, baseURL: URL, model: String, apiKey: String?, apiKeyVariable: String? = nil,
        timeout: Double = 60
    ) {
        self.name = name
        self.baseURL = baseURL
        self.model = model
        self.apiKey = apiKey
        self.apiKeyVariable = apiKeyVariable
        self.timeout = timeout
    }

    /// A summary that tells whether a key is set without showing it.
    public var description: String {
        "OpenAIChatModel(name: \(name), model: \(model), baseURL: \(endpoint), key: \(apiKey == nil ? "none" : "set"))"
    }

    /// Leaves the key out so `dump` and debuggers cannot print it.
    public var customMirror: Mirror {
        Mirror(self, children: ["name": name, "baseURL": baseURL, "model": model, "timeout": timeout])
    }

    /// Sends one non-streamed chat-completions request and reads the reply.
    public func complete(_ request: ModelRequest) async throws -> ModelResponse {
        let httpRequest = try makeHTTPRequest(for: request, streaming: false)
        let (status, body) = try await CallDeadline.run(seconds: timeout, model: name) {
            do {
                return try await HTTPTransport.send(httpRequest)
            } catch {
                throw failure(from: error)
            }
        }
        guard (200..<300).contains(status) else { throw httpError(status: status, body: body) }
        return try readReply(body, for: request)
    }

    /// Streams the reply as it is generated: `.delta` for each piece of text, then `.done` with the whole
    /// reply and its usage (requested with `stream_options.include_usage`, estimated when the server omits it).
    ///
    /// Cancelling the consuming task, or dropping the stream, cancels the HTTP request.
    public func events(_ request: ModelRequest) -> AsyncThrowingStream<ModelStreamEvent, Error> {
        AsyncThrowingStream { continuation in
            let httpRequest: HTTPRequest
            do {
                httpRequest = try makeHTTPRequest(for: request, streaming: true)
            } catch {
                continuation.finish(throwing: error)
                return
            }
            let reader = ChatCompletionStreamReader(model: self, request: request, continuation: continuation)
            let exchange = Task {
                do {
                    let status = try await HTTPTransport.stream(httpRequest) { status, piece in
                        reader.receive(piece, status: status)
                    }
                    reader.finish(.success(status))
                } catch {
                    reader.finish(.failure(error))
                }
            }
            continuation.onTermination = { _ in exchange.cancel() }
        }
    }

    /// Streams only the reply text, piece by piece; use `events(_:)` to also receive the final usage.
    public func stream(_ request: ModelRequest) -> AsyncThrowingStream<String, Error> {
        let events = events(request)
        return AsyncThrowingStream { continuation in
            let pump = Task {
                do {
                    for try await event in events {
                        if case .delta(let text) = event { continuation.yield(text) }
                    }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in pump.cancel() }
        }
    }

    /// Builds the response from reply text and the server's usage, estimating counts the server left out.
    func response(
        text: String, usage: ChatCompletionReply.Usage?, finishReason: String?, for request: ModelRequest
    ) -> ModelResponse {
        ModelResponse(
            text: text,
            inputTokens: usage?.promptTokens ?? request.messages.reduce(0) { $0 + TokenEstimate.count($1.content) },
            outputTokens: usage?.completionTokens ?? TokenEstimate.count(text),
            cachedInputTokens: usage?.promptTokensDetails?.cachedTokens ?? 0,
            finishReason: finishReason
        )
    }

    /// Reads a complete (non-streamed) chat-completions body.
    func readReply(_ body: Data, for request: ModelRequest) throws -> ModelResponse {
        guard let reply = try? JSONDecoder().decode(ChatCompletionReply.self, from: body) else {
            throw malformed("the body is not chat-completions JSON: \(excerpt(of: body, limit: 120))")
        }
        if let message = reply.errorMessage { throw reported(message) }
        guard let choice = reply.choices?.first else { throw malformed("the reply has no choices") }
        guard let text = choice.message?.content else { throw malformed("the first choice has no message content") }
        return response(text: text, usage: reply.usage, finishReason: choice.finishReason, for: request)
    }

    /// The error for a non-2xx answer, carrying a short excerpt of its body with the API key masked.
    func httpError(status: Int, body: Data) -> ModelError {
        .http(model: name, status: status, body: excerpt(of: body, limit: 300))
    }

    /// A `ModelError.malformedResponse` for this model.
    func malformed(_ detail: String) -> ModelError {
        .malformedResponse(model: name, detail: detail)
    }

    /// The error for a failure the server described inside an otherwise successful answer.
    func reported(_ message: String) -> ModelError {
        malformed("the server reported: \(masked(message))")
    }

    /// Translates a transport error into the `ModelError` a router can act on; cancellation stays cancellation.
    func failure(from error: any Error) -> any Error {
        if error is ModelError || error is CancellationError { return error }
        guard let failure = error as? HTTPFailure else {
            return ModelError.unreachable(model: name, detail: masked(String(describing: error)))
        }
        return failure.modelError(model: name, url: baseURL, timeout: timeout, mask: masked)
    }

    /// Host and port only: a URL's user-info part could hold credentials.
    private var endpoint: String { HTTPFailure.place(of: baseURL) }

    private func makeHTTPRequest(for request: ModelRequest, streaming: Bool) throws -> HTTPRequest {
        if let apiKeyVariable, (apiKey ?? "").isEmpty {
            throw ModelError.missingAPIKey(model: name, variable: apiKeyVariable)
        }
        var headers = [
            "Content-Type": "application/json", "Accept": streaming ? "text/event-stream" : "application/json",
        ]
        if let apiKey, !apiKey.isEmpty { headers["Authorization"] = "Bearer \(apiKey)" }
        let body = ChatCompletionBody(
            model: model, messages: request.messages, temperature: request.temperature, maxTokens: request.maxTokens,
            seed: request.seed, stream: streaming,
            streamOptions: streaming ? .init(includeUsage: true) : nil
        )
        do {
            // A whole answer is bounded by `complete(_:)`'s deadline; a stream by each silence.
            return HTTPRequest(
                url: baseURL.appendingPathComponent("chat/completions"), headers: headers,
                body: try JSONEncoder().encode(body), idleTimeout: streaming ? timeout : nil)
        } catch {
            throw malformed("the request could not be encoded: \(error)")
        }
    }

    private func masked(_ text: String) -> String {
        guard let apiKey, !apiKey.isEmpty else { return text }
        return text.replacingOccurrences(of: apiKey, with: "[redacted]")
    }

    /// Masks before shortening so a key cut in half cannot survive as a fragment.
    private func excerpt(of body: Data, limit: Int) -> String {
        let text = masked(String(decoding: body.prefix(65_536), as: UTF8.self))
        let flat = text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        return flat.count > limit ? String(flat.prefix(limit)) + "…" : flat
    }
}
