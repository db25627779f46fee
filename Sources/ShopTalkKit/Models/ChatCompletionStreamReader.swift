import Foundation

/// Feeds a streamed chat completion into an `AsyncThrowingStream` as its bytes arrive.
///
/// Pieces come from the exchange's thread and the ending from the task that awaited it; the lock keeps the
/// two apart.
final class ChatCompletionStreamReader: @unchecked Sendable {
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

    /// Creates a reader that reports `model`'s reply to `request` through `continuation`.
    init(
        model: OpenAIChatModel, request: ModelRequest,
        continuation: AsyncThrowingStream<ModelStreamEvent, Error>.Continuation
    ) {
        self.model = model
        self.request = request
        self.continuation = continuation
    }

    /// Parses the events a piece of the body completes, or keeps the bytes of an error body; false once the
    /// stream has failed and the exchange should stop.
    func receive(_ piece: Data, status: Int) -> Bool {
        lock.withLock {
            guard failure == nil else { return false }
            if !sawEvent, plainBody.count < Self.bodyLimit { plainBody.append(piece) }
            if !(200..<300).contains(status) { return true }
            for payload in parser.feed(piece) {
                handle(payload)
                if failure != nil { return false }
            }
            return true
        }
    }

    /// Ends the stream with the whole reply or the fault, given the exchange's status or its error.
    func finish(_ outcome: Result<Int, any Error>) {
        switch lock.withLock({ conclude(outcome) }) {
        case .success(let response):
            continuation.yield(.done(response))
            continuation.finish()
        case .failure(let error):
            continuation.finish(throwing: error)
        }
    }

    private func conclude(_ outcome: Result<Int, any Error>) -> Result<ModelResponse, any Error> {
        if let failure { return .failure(failure) }
        let status: Int
        switch outcome {
        case .failure(let error): return .failure(model.failure(from: error))
        case .success(let code): status = code
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
