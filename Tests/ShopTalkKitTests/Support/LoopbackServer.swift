import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A request as the loopback server received it.
struct LoopbackRequest: Sendable {
    /// Counts requests to one server from zero, so a handler can script a sequence of answers.
    var sequence: Int
    /// The request method, such as `POST`.
    var method: String
    /// The request target, such as `/v1/chat/completions`.
    var path: String
    /// Header fields by lower-cased name.
    var headers: [String: String]
    /// The body, `Content-Length` bytes long.
    var body: Data

    /// The body parsed as a JSON object, or empty when it is not one.
    var json: [String: Any] {
        (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] ?? [:]
    }
}

/// What the loopback server answers, written in pieces with pauses so clients see partial data.
struct LoopbackResponse: Sendable {
    /// Bytes written after waiting `delay` seconds.
    struct Piece: Sendable {
        /// Seconds to wait before writing.
        var delay: Double
        /// What to write; a chunked response frames it as one chunk.
        var bytes: Data
    }

    /// The HTTP status code.
    var status: Int
    /// Header fields besides the framing ones the server adds.
    var headers: [String: String] = [:]
    /// Seconds to wait before writing anything at all.
    var stall: Double = 0
    /// The body in the pieces it is written in.
    var pieces: [Piece]
    /// Whether to use chunked transfer encoding (as streaming servers do) instead of `Content-Length`.
    var chunked = false

    /// A JSON answer in one piece.
    static func json(_ text: String, status: Int = 200) -> LoopbackResponse {
        LoopbackResponse(
            status: status, headers: ["Content-Type": "application/json"],
            pieces: [Piece(delay: 0, bytes: Data(text.utf8))]
        )
    }

    /// A chunked server-sent event stream written as the given raw pieces, `delay` seconds apart.
    static func events(_ pieces: [Data], delay: Double = 0.01) -> LoopbackResponse {
        LoopbackResponse(
            status: 200, headers: ["Content-Type": "text/event-stream", "Cache-Control": "no-cache"],
            pieces: pieces.map { Piece(delay: delay, bytes: $0) }, chunked: true
        )
    }

    /// An answer that only starts after `seconds`, to provoke client timeouts.
    static func stalled(for seconds: Double) -> LoopbackResponse {
        var response = json("{}")
        response.stall = seconds
        return response
    }
}

/// A minimal HTTP/1.1 server on 127.0.0.1 with a kernel-chosen port, for exercising real network code in tests.
///
/// Each connection is served on its own thread and closed after one answer. The server stops when released;
/// keep it alive (for example by asserting on `requests` last) until the client is done with it.
final class LoopbackServer: @unchecked Sendable {
    /// The port the server listens on.
    let port: UInt16
    private let state: LoopbackServerState

    /// Starts a server answering every request with `handler`.
    init(handler: @escaping @Sendable (LoopbackRequest) -> LoopbackResponse) throws {
        let listener = try Self.listeningSocket()
        port = try Self.port(of: listener)
        state = LoopbackServerState(listener: listener, handler: handler)
        let state = state
        let thread = Thread { state.acceptLoop() }
        thread.name = "LoopbackServer.accept"
        thread.start()
    }

    deinit {
        state.stop()
    }

    /// The OpenAI-style API root on this server.
    var baseURL: URL {
        URL(string: "http://127.0.0.1:\(port)/v1")!
    }

    /// Every request received so far, in arrival order.
    var requests: [LoopbackRequest] {
        state.requests
    }

    /// A loopback port nothing listens on: bound by the kernel, then released.
    static func closedPort() throws -> UInt16 {
        let socket = try listeningSocket()
        defer { close(socket) }
        return try port(of: socket)
    }

    private static func listeningSocket() throws -> Int32 {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw POSIXError(errno) }
        var reuse: Int32 = 1
        setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &reuse, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0, listen(descriptor, 64) == 0 else {
            let code = errno
            close(descriptor)
            throw POSIXError(code)
        }
        return descriptor
    }

    private static func port(of descriptor: Int32) throws -> UInt16 {
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let result = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        guard result == 0 else { throw POSIXError(errno) }
        return UInt16(bigEndian: address.sin_port)
    }
}

private extension POSIXError {
    init(_ code: Int32) {
        self.init(POSIXErrorCode(rawValue: code) ?? .EIO)
    }
}

/// The part of the server its threads share; separate so the threads do not keep the server alive.
private final class LoopbackServerState: @unchecked Sendable {
    private let listener: Int32
    private let handler: @Sendable (LoopbackRequest) -> LoopbackResponse
    private let lock = NSLock()
    private var stopping = false
    private var received: [LoopbackRequest] = []
    private let acceptLoopEnded = DispatchSemaphore(value: 0)

    init(listener: Int32, handler: @escaping @Sendable (LoopbackRequest) -> LoopbackResponse) {
        self.listener = listener
        self.handler = handler
    }

    var requests: [LoopbackRequest] {
        lock.withLock { received }
    }

    private var isStopping: Bool {
        lock.withLock { stopping }
    }

    func stop() {
        lock.withLock { stopping = true }
        acceptLoopEnded.wait()
        close(listener)
    }

    func acceptLoop() {
        defer { acceptLoopEnded.signal() }
        // Polling with a short timeout lets `stop` end the loop without relying on close() waking accept().
        while !isStopping {
            var poller = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, 20) > 0 else { continue }
            let connection = accept(listener, nil, nil)
            guard connection >= 0 else { continue }
            let thread = Thread { [self] in serve(connection) }
            thread.name = "LoopbackServer.connection"
            thread.start()
        }
    }

    private func serve(_ connection: Int32) {
        defer { close(connection) }
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(connection, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        guard let parsed = readRequest(from: connection) else { return }
        let request = lock.withLock {
            var request = parsed
            request.sequence = received.count
            received.append(request)
            return request
        }
        let response = handler(request)
        guard pause(response.stall) else { return }
        var head = "HTTP/1.1 \(response.status) \(Self.reason(for: response.status))\r\n"
        for (name, value) in response.headers { head += "\(name): \(value)\r\n" }
        if response.chunked {
            head += "Transfer-Encoding: chunked\r\n"
        } else {
            head += "Content-Length: \(response.pieces.reduce(0) { $0 + $1.bytes.count })\r\n"
        }
        head += "Connection: close\r\n\r\n"
        guard write(Data(head.utf8), to: connection) else { return }
        for piece in response.pieces {
            guard pause(piece.delay) else { return }
            let framed =
                response.chunked
                ? Data(String(piece.bytes.count, radix: 16).utf8) + Data("\r\n".utf8) + piece.bytes + Data("\r\n".utf8)
                : piece.bytes
            guard write(framed, to: connection) else { return }
        }
        if response.chunked { _ = write(Data("0\r\n\r\n".utf8), to: connection) }
    }

    /// Sleeps in small steps so a stopping server does not leave threads waiting; false once stopping.
    private func pause(_ seconds: Double) -> Bool {
        var remaining = seconds
        while remaining > 0 {
            if isStopping { return false }
            let step = min(remaining, 0.01)
            usleep(UInt32(step * 1_000_000))
            remaining -= step
        }
        return !isStopping
    }

    private func write(_ data: Data, to connection: Int32) -> Bool {
        data.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                // MSG_NOSIGNAL: a client that hung up must not kill the test process with SIGPIPE.
                let sent = send(connection, buffer.baseAddress! + offset, buffer.count - offset, Int32(MSG_NOSIGNAL))
                guard sent > 0 else { return false }
                offset += sent
            }
            return true
        }
    }

    private func readRequest(from connection: Int32) -> LoopbackRequest? {
        var buffer = Data()
        let separator = Data("\r\n\r\n".utf8)
        var chunk = [UInt8](repeating: 0, count: 4096)
        while buffer.range(of: separator) == nil {
            let count = recv(connection, &chunk, chunk.count, 0)
            guard count > 0 else { return nil }
            buffer.append(contentsOf: chunk[0..<count])
        }
        guard let end = buffer.range(of: separator) else { return nil }
        let lines = String(decoding: buffer[..<end.lowerBound], as: UTF8.self).components(separatedBy: "\r\n")
        let requestLine = lines.first?.split(separator: " ") ?? []
        guard requestLine.count >= 2 else { return nil }
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon].lowercased()
            headers[name] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        var body = Data(buffer[end.upperBound...])
        let length = Int(headers["content-length"] ?? "") ?? 0
        while body.count < length {
            let count = recv(connection, &chunk, chunk.count, 0)
            guard count > 0 else { return nil }
            body.append(contentsOf: chunk[0..<count])
        }
        return LoopbackRequest(
            sequence: 0, method: String(requestLine[0]), path: String(requestLine[1]), headers: headers,
            body: body.prefix(length)
        )
    }

    private static func reason(for status: Int) -> String {
        switch status {
        case 200: "OK"
        case 401: "Unauthorized"
        case 404: "Not Found"
        case 429: "Too Many Requests"
        case 500: "Internal Server Error"
        case 503: "Service Unavailable"
        default: "Status"
        }
    }
}
