import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A TCP port on 127.0.0.1 that takes connections and never answers, like a model server that hangs, unless
/// told to answer one request late with `answerOnce(after:reply:)`.
final class SilentListener {
    /// Why the listener could not be opened.
    struct Failure: Error, CustomStringConvertible {
        var call: String
        var code: Int32
        var description: String { "\(call) failed: \(String(cString: strerror(code)))" }
    }

    /// The port the kernel chose.
    let port: UInt16
    private let socket: Int32
    private let requestRead = DispatchSemaphore(value: 0)

    init() throws {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw Failure(call: "socket", code: errno) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { generic in
                bind(socket, generic, length) == 0 && listen(socket, 8) == 0
                    && getsockname(socket, generic, &length) == 0
            }
        }
        guard bound else {
            let code = errno
            close(socket)
            throw Failure(call: "bind/listen", code: code)
        }
        self.socket = socket
        port = UInt16(bigEndian: address.sin_port)
    }

    deinit {
        close(socket)
    }

    /// Waits until a client has connected (the connection stays queued and unanswered); false on timeout.
    func waitForConnection(timeout: Duration = .seconds(10)) -> Bool {
        var descriptor = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
        let milliseconds = Int32(timeout.components.seconds * 1000)
        return poll(&descriptor, 1, milliseconds) > 0
    }

    /// Waits until `answerOnce(after:reply:)` has read its request; false on timeout.
    func waitForRequest(timeout: Double = 10) -> Bool {
        requestRead.wait(timeout: .now() + timeout) == .success
    }

    /// Answers the next request, `seconds` after it has arrived, with a chat completion whose text is `reply`.
    func answerOnce(after seconds: Double, reply: String) {
        let socket = socket
        let requestRead = requestRead
        Thread.detachNewThread {
            let connection = accept(socket, nil, nil)
            guard connection >= 0 else { return }
            defer { close(connection) }
            // Headers, then as many body bytes as they announce.
            var request = [UInt8]()
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                let count = read(connection, &buffer, buffer.count)
                guard count > 0 else { return }
                request += buffer[..<count]
                let text = String(decoding: request, as: UTF8.self)
                guard let end = text.range(of: "\r\n\r\n") else { continue }
                let length =
                    text[..<end.lowerBound].split(separator: "\r\n")
                    .first { $0.lowercased().hasPrefix("content-length:") }
                    .flatMap { Int($0.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) } ?? 0
                if text.utf8.count - text.utf8.distance(from: text.startIndex, to: end.upperBound) >= length { break }
            }
            requestRead.signal()
            Thread.sleep(forTimeInterval: seconds)
            let body = #"{"choices":[{"message":{"role":"assistant","content":"\#(reply)"},"finish_reason":"stop"}]}"#
            let answer =
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n"
                + "Connection: close\r\n\r\n" + body
            _ = answer.withCString { write(connection, $0, strlen($0)) }
        }
    }
}
