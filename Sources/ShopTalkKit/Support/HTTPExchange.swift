import CCurl
import Foundation
import Synchronization

/// One HTTP exchange: a libcurl handle driven on the thread that calls `run()`, and cancellable from any other.
///
/// The handles are released only when the exchange is, so a late `cancel()` never wakes a freed handle.
final class HTTPExchange: @unchecked Sendable {
    private static let started: Bool = curl_global_init(Int(CURL_GLOBAL_DEFAULT)) == CURLE_OK

    private let easy: UnsafeMutableRawPointer
    private let multi: UnsafeMutableRawPointer
    private var headers: UnsafeMutablePointer<curl_slist>?
    private let errorText = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE))
    private let request: HTTPRequest
    private let receive: (Int, Data) -> Bool
    private let cancelled = Atomic(false)
    // Touched only on the thread running the exchange, from `run()` and the write callback it drives.
    private var stopped = false
    private var lastPiece = ContinuousClock.now

    /// Prepares `request`; `receive` gets the status and each piece of the body, and returns false to stop.
    init(_ request: HTTPRequest, receive: @escaping (Int, Data) -> Bool) throws {
        guard Self.started, let easy = curl_easy_init() else {
            throw HTTPFailure.other("libcurl could not be started")
        }
        guard let multi = curl_multi_init() else {
            curl_easy_cleanup(easy)
            throw HTTPFailure.other("libcurl could not be started")
        }
        self.easy = easy
        self.multi = multi
        self.request = request
        self.receive = receive
        errorText.initialize(to: 0)
        configure()
        curl_multi_add_handle(multi, easy)
    }

    deinit {
        curl_multi_remove_handle(multi, easy)
        curl_easy_cleanup(easy)
        curl_multi_cleanup(multi)
        curl_slist_free_all(headers)
        errorText.deallocate()
    }

    /// Ends the exchange as soon as its thread notices, which is at once.
    func cancel() {
        cancelled.store(true, ordering: .sequentiallyConsistent)
        curl_multi_wakeup(multi)
    }

    /// Runs the exchange to its end on the calling thread.
    ///
    /// - Returns: the HTTP status of the answer.
    /// - Throws: `HTTPFailure`, or `CancellationError` after `cancel()`.
    func run() throws -> Int {
        let start = ContinuousClock.now
        lastPiece = start
        while true {
            var running: Int32 = 0
            let code = curl_multi_perform(multi, &running)
            guard code == CURLM_OK else { throw HTTPFailure.other(String(cString: curl_multi_strerror(code))) }
            if cancelled.load(ordering: .sequentiallyConsistent) { throw CancellationError() }
            if running == 0 { break }
            var wait = Duration.seconds(1)
            for (from, limit) in [(start, request.timeout), (lastPiece, request.idleTimeout)] {
                guard let limit else { continue }
                let left = from + .seconds(limit) - .now
                guard left > .zero else { throw HTTPFailure.timedOut }
                wait = min(wait, left)
            }
            // Rounded up, so a deadline is never polled for just short of its time.
            let milliseconds = Int32((wait / .milliseconds(1)).rounded(.up))
            curl_multi_poll(multi, nil, 0, milliseconds, nil)
        }
        let result = shim_curl_finished(multi)
        guard !stopped else { return Int(shim_curl_status(easy)) }
        guard result == Int32(CURLE_OK.rawValue) else { throw failure(CURLcode(UInt32(bitPattern: result))) }
        return Int(shim_curl_status(easy))
    }

    /// Hands one piece of the body on; false stops the exchange.
    fileprivate func take(_ piece: Data) -> Bool {
        lastPiece = .now
        guard receive(Int(shim_curl_status(easy)), piece) else {
            stopped = true
            return false
        }
        return true
    }

    private func configure() {
        shim_curl_set_text(easy, CURLOPT_URL, request.url.absoluteString)
        // Signals would reach whichever thread the process picked; timeouts are kept by `run()` instead.
        shim_curl_set_long(easy, CURLOPT_NOSIGNAL, 1)
        shim_curl_set_text(easy, CURLOPT_USERAGENT, "shoptalk")
        shim_curl_set_text(easy, CURLOPT_ACCEPT_ENCODING, "")
        shim_curl_set_pointer(easy, CURLOPT_ERRORBUFFER, errorText)
        // A proxy named in the environment is for the outside world, never for a server on this machine.
        let environment = ProcessInfo.processInfo.environment
        let exempt = [environment["no_proxy"] ?? environment["NO_PROXY"], "127.0.0.0/8,localhost,::1"]
        shim_curl_set_text(easy, CURLOPT_NOPROXY, exempt.compactMap { $0 }.joined(separator: ","))
        if let limit = request.timeout ?? request.idleTimeout {
            shim_curl_set_long(easy, CURLOPT_CONNECTTIMEOUT_MS, Int(max(1, (limit * 1000).rounded(.up))))
        }
        if let body = request.body {
            shim_curl_set_long(easy, CURLOPT_POST, 1)
            shim_curl_set_size(easy, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count))
            if body.isEmpty {
                shim_curl_set_text(easy, CURLOPT_COPYPOSTFIELDS, "")
            } else {
                // libcurl copies the body, so it may outlive this buffer.
                body.withUnsafeBytes { bytes in
                    _ = shim_curl_set_pointer(
                        easy, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: bytes.baseAddress))
                }
            }
        }
        // "Expect:" with no value stops libcurl from waiting for a 100 Continue the server may never send.
        for line in request.headers.sorted(by: { $0.key < $1.key }).map({ "\($0.key): \($0.value)" }) + ["Expect:"] {
            headers = curl_slist_append(headers, line)
        }
        shim_curl_set_headers(easy, headers)
        shim_curl_set_writer(easy, receiveBody, Unmanaged.passUnretained(self).toOpaque())
    }

    private func failure(_ code: CURLcode) -> HTTPFailure {
        let detail = errorText.pointee == 0 ? String(cString: curl_easy_strerror(code)) : String(cString: errorText)
        switch code {
        case CURLE_COULDNT_CONNECT: return .cannotConnect
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY: return .hostNotFound
        case CURLE_OPERATION_TIMEDOUT: return .timedOut
        case CURLE_GOT_NOTHING, CURLE_RECV_ERROR, CURLE_SEND_ERROR, CURLE_PARTIAL_FILE: return .connectionLost
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER,
            CURLE_SSL_CACERT_BADFILE, CURLE_SSL_ISSUER_ERROR:
            return .tls(detail)
        default: return .other(detail)
        }
    }
}

/// libcurl's write callback: the body's bytes as they arrive, for the exchange in `context`.
private let receiveBody: shim_curl_write_t = { data, size, count, context in
    guard let data, let context else { return 0 }
    let exchange = Unmanaged<HTTPExchange>.fromOpaque(context).takeUnretainedValue()
    return exchange.take(Data(bytes: data, count: size * count)) ? size * count : 0
}
