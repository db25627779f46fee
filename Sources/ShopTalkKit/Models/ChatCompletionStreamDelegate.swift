import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Feeds a streamed chat completion into an `AsyncThrowingStream` as URLSession delivers it.
///
/// Linux Foundation has no `URLSession.bytes(for:)`, so bytes arrive through these callbacks on the session's
/// serial delegate queue. The lock only matters if a platform ever calls them concurrently.
final class ChatCompletionStreamDelegate: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    private static let bodyLimit = 65_536

    private let model: OpenAIChatModel
    private let request: ModelRequest
    private let continuation: AsyncThrowingStream<ModelStreamEvent, Error>.Continuation
    private let lock = NSLock()
    private var parser = ServerSentEventParser()
    private var text = ""
    private var usage: ChatCompletionReply.Usage?
    private var finishReason: String?
    private var sawEvent = false
    /// The body seen before any event: an error page, or a whole reply from a server that ignored `stream`.
    private var plainBody = Data()
    private var failure: (any Error)?

    /// Creates a delegate that reports `model`'s reply to `request` through `continuation`.
    init(
        model: OpenAIChatModel, request: ModelRequest,
        continuation: AsyncThrowingStream<ModelStreamEvent, Error>.Continuation
    ) {
        self.model = model
        self.request = request
        self.continuation = continuation
    }

    /// Parses the events the bytes complete, or keeps the bytes of an error body.
    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        let failed = lock.withLock {
            guard failure == nil else { return true }
            if !sawEvent, plainBody.count < Self.bodyLimit { plainBody.append(data) }
            if let status = statusCode(of: dataTask), !(200..<300).contains(status) { return false }
            for payload in parser.feed(data) {
                handle(payload)
                if failure != nil { return true }
            }
            return false
        }
        if failed { dataTask.cancel() }
    }

    /// Ends the stream with the whole reply or the fault.
    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: (any Error)?) {
        let outcome = lock.withLock { conclude(task: task, error: error) }
        // The session keeps its delegate alive until invalidated, so every stream must end with this.
        session.finishTasksAndInvalidate()
        switch outcome {
        case .success(let response):
            continuation.yield(.done(response))
            continuation.finish()
        case .failure(let error):
            continuation.finish(throwing: error)
        }
    }

    private func statusCode(of task: URLSessionTask) -> Int? {
        (task.response as? HTTPURLResponse)?.statusCode
    }

    private func conclude(task: URLSessionTask, error: (any Error)?) -> Result<ModelResponse, any Error> {
        if let failure { return .failure(failure) }
        if let error { return .failure(model.failure(from: error)) }
        guard let status = statusCode(of: task) else {
            return .failure(model.malformed("the answer is not an HTTP response"))
        }
        guard (200..<300).contains(status) else { return .failure(model.httpError(status: status, body: plainBody)) }
        for payload in parser.finish() { handle(payload) }
        if let failure { return .failure(failure) }
        guard sawEvent else { return replyWithoutEvents() }
        return .success(model.response(text: text, usage: usage, finishReason: finishReason, for: request))
    }

    private func replyWithoutEvents() -> Result<ModelResponse, any Error> {
        Result {
            let response = try model.readReply(plainBody, for: request)
            if !response.text.isEmpty { continuation.yield(.delta(response.text)) }
            return response
        }
    }

    private func handle(_ payload: String) {
        sawEvent = true
        guard payload != "[DONE]" else { return }
        guard let chunk = try? JSONDecoder().decode(ChatCompletionReply.self, from: Data(payload.utf8)) else {
            failure = model.malformed("a stream event is not chat-completions JSON")
            return
        }
        if let message = chunk.errorMessage {
            failure = model.reported(message)
            return
        }
        if let usage = chunk.usage { self.usage = usage }
        guard let choice = chunk.choices?.first else { return }
        if let piece = choice.delta?.content ?? choice.message?.content, !piece.isEmpty {
            text += piece
            continuation.yield(.delta(piece))
        }
        if let reason = choice.finishReason { finishReason = reason }
    }
}
