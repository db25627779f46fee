import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

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
    /// For streams it bounds each wait for data instead (rounded up to whole seconds, as Linux Foundation
    /// counts them), so a long reply may keep streaming as long as tokens keep coming.
    public let timeout: Double
    private let apiKey: String?
    private let apiKeyVariable: String?
    private let session: URLSession

    /// Creates a backend.
    ///
    /// - Parameters:
    ///   - apiKey: The bearer token, or `nil` for servers that need none.
    ///   - apiKeyVariable: The environment variable the key is read from. When given and `apiKey` is empty,
    ///     calls fail with `ModelError.missingAPIKey` naming it instead of reaching the server unauthenticated.
    ///   - session: The session whose configuration every call uses; streams copy its configuration into a
    ///     session of their own because delegates can only be set when a session is made.
    public init(
        name: String, baseURL: URL, model: String, apiKey: String?, apiKeyVariable: String? = nil,
        timeout: Double = 60, session: URLSession = .shared
    ) {
        self.name = name
        self.baseURL = baseURL
        self.model = model
        self.apiKey = apiKey
        self.apiKeyVariable = apiKeyVariable
        self.timeout = timeout
        self.session = session
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
        let urlRequest = try makeURLRequest(for: request, streaming: false)
        // Linux Foundation truncates `timeoutInterval` to whole seconds (0.5 becomes no timeout at all), so the
        // exact bound is enforced here.
        let (body, response) = try await CallDeadline.run(seconds: timeout, model: name) {
            try await send(urlRequest)
        }
        guard (200..<300).contains(response.statusCode) else {
            throw httpError(status: response.statusCode, body: body)
        }
        return try readReply(body, for: request)
    }

    /// Streams the reply as it is generated: `.delta` for each piece of text, then `.done` with the whole
    /// reply and its usage (requested with `stream_options.include_usage`, estimated when the server omits it).
    ///
    /// Cancelling the consuming task, or dropping the stream, cancels the HTTP request.
    public func events(_ request: ModelRequest) -> AsyncThrowingStream<ModelStreamEvent, Error> {
        AsyncThrowingStream { continuation in
            let urlRequest: URLRequest
            do {
                urlRequest = try makeURLRequest(for: request, streaming: true)
            } catch {
                continuation.finish(throwing: error)
                return
            }
            let delegate = ChatCompletionStreamDelegate(model: self, request: request, continuation: continuation)
            let streamSession = URLSession(configuration: session.configuration, delegate: delegate, delegateQueue: nil)
            let task = streamSession.dataTask(with: urlRequest)
            continuation.onTermination = { _ in task.cancel() }
            task.resume()
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
        guard let urlError = error as? URLError else {
            return ModelError.unreachable(model: name, detail: masked(String(describing: error)))
        }
        let detail: String
        switch urlError.code {
        case .cancelled: return CancellationError()
        case .timedOut: return ModelError.timedOut(model: name, seconds: timeout)
        case .cannotConnectToHost: detail = "nothing accepts connections at \(endpoint)"
        case .cannotFindHost, .dnsLookupFailed: detail = "the host of \(endpoint) was not found"
        case .networkConnectionLost: detail = "the connection to \(endpoint) was lost"
        case .notConnectedToInternet: detail = "there is no network connection"
        case .secureConnectionFailed, .serverCertificateUntrusted, .serverCertificateHasBadDate,
            .serverCertificateNotYetValid, .serverCertificateHasUnknownRoot:
            detail = "the TLS connection to \(endpoint) failed"
        default: detail = "network error \(urlError.code.rawValue) talking to \(endpoint)"
        }
        return ModelError.unreachable(model: name, detail: detail)
    }

    /// Host and port only: a URL's user-info part could hold credentials.
    private var endpoint: String {
        let host = baseURL.host ?? "?"
        return baseURL.port.map { "\(host):\($0)" } ?? host
    }

    private func makeURLRequest(for request: ModelRequest, streaming: Bool) throws -> URLRequest {
        if let apiKeyVariable, (apiKey ?? "").isEmpty {
            throw ModelError.missingAPIKey(model: name, variable: apiKeyVariable)
        }
        let endpointURL = baseURL.appendingPathComponent("chat/completions")
        var urlRequest = URLRequest(url: endpointURL, timeoutInterval: max(1, timeout.rounded(.up)))
        urlRequest.httpMethod = "POST"
        urlRequest.setValue("application/json", forHTTPHeaderField: "Content-Type")
        urlRequest.setValue(streaming ? "text/event-stream" : "application/json", forHTTPHeaderField: "Accept")
        if let apiKey, !apiKey.isEmpty {
            urlRequest.setValue("Bearer \(apiKey)", forHTTPHeaderField: "Authorization")
        }
        let body = ChatCompletionBody(
            model: model, messages: request.messages, temperature: request.temperature, maxTokens: request.maxTokens,
            seed: request.seed, stream: streaming,
            streamOptions: streaming ? .init(includeUsage: true) : nil
        )
        do {
            urlRequest.httpBody = try JSONEncoder().encode(body)
        } catch {
            throw malformed("the request could not be encoded: \(error)")
        }
        return urlRequest
    }

    private func send(_ urlRequest: URLRequest) async throws -> (Data, HTTPURLResponse) {
        let handle = DataTaskHandle()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                // The closure-based task is used because it can be cancelled; `data(for:)` cannot be on Linux.
                let task = session.dataTask(with: urlRequest) { data, response, error in
                    if let error {
                        continuation.resume(throwing: failure(from: error))
                    } else if let response = response as? HTTPURLResponse {
                        continuation.resume(returning: (data ?? Data(), response))
                    } else {
                        continuation.resume(throwing: malformed("the answer is not an HTTP response"))
                    }
                }
                handle.start(task)
            }
        } onCancel: {
            handle.cancel()
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

/// Lets a cancellation that races the start of a request still cancel it.
private final class DataTaskHandle: @unchecked Sendable {
    private let lock = NSLock()
    private var task: URLSessionDataTask?
    private var cancelled = false

    func start(_ task: URLSessionDataTask) {
        let cancelled = lock.withLock {
            self.task = task
            return self.cancelled
        }
        task.resume()
        if cancelled { task.cancel() }
    }

    func cancel() {
        let task = lock.withLock {
            cancelled = true
            return self.task
        }
        task?.cancel()
    }
}
