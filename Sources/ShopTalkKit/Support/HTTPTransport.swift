import Foundation
import Synchronization

/// An HTTP request as the model and embeddings clients send it.
struct HTTPRequest: Sendable {
    var url: URL
    var headers: [String: String] = [:]
    /// The body of a POST; `nil` sends a GET.
    var body: Data?
    /// Seconds the whole exchange may take; `nil` leaves the bound to the caller.
    var timeout: Double?
    /// Seconds the server may stay silent while answering, as between the pieces of a stream.
    var idleTimeout: Double?
}

/// Why an exchange ended before its answer was complete.
enum HTTPFailure: Error, Equatable, CustomStringConvertible {
    case cannotConnect
    case hostNotFound
    case timedOut
    case connectionLost
    case tls(String)
    case other(String)

    var description: String {
        switch self {
        case .cannotConnect: "nothing accepts connections there"
        case .hostNotFound: "the host was not found"
        case .timedOut: "no answer in time"
        case .connectionLost: "the connection was lost"
        case .tls(let detail): "the TLS connection failed: \(detail)"
        case .other(let detail): detail
        }
    }
}

/// HTTP through libcurl, each exchange on a thread of its own that sleeps in `poll` while the server thinks.
///
/// Foundation's URLSession on Linux keeps a write source armed on a connection until its answer is complete,
/// so it spun a core for as long as a model took to reply; that is why the clients do not use it.
enum HTTPTransport {
    /// Sends `request` and returns the status and the whole body. Cancelling the task ends the exchange at once.
    static func send(_ request: HTTPRequest) async throws -> (status: Int, body: Data) {
        let body = BodyBuffer()
        let status = try await stream(request) { _, piece in
            body.append(piece)
            return true
        }
        return (status, body.data)
    }

    /// Sends `request` on the calling thread, blocking it, and returns the status and the whole body.
    static func sendBlocking(_ request: HTTPRequest) throws -> (status: Int, body: Data) {
        let body = BodyBuffer()
        let status = try HTTPExchange(request) { _, piece in
            body.append(piece)
            return true
        }.run()
        return (status, body.data)
    }

    /// Sends `request` and hands the status and each piece of the body to `receive` as it arrives, on the
    /// exchange's thread; `receive` returns false to end the exchange early, which is not a failure.
    ///
    /// - Returns: the HTTP status of the answer.
    /// - Throws: `HTTPFailure`, or `CancellationError` when the task is cancelled.
    static func stream(
        _ request: HTTPRequest, receive: @escaping @Sendable (_ status: Int, _ piece: Data) -> Bool
    ) async throws -> Int {
        let exchange = try HTTPExchange(request, receive: receive)
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                Thread.detachNewThread {
                    continuation.resume(with: Result { try exchange.run() })
                }
            }
        } onCancel: {
            exchange.cancel()
        }
    }
}

/// The body of an answer as it arrives; only the exchange's thread appends, but the reader may be another.
private final class BodyBuffer: Sendable {
    private let bytes = Mutex(Data())

    var data: Data { bytes.withLock { $0 } }

    func append(_ piece: Data) {
        bytes.withLock { $0.append(piece) }
    }
}
