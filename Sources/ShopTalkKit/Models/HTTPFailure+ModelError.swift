import Foundation

extension HTTPFailure {
    /// Host and port of `url` only, for messages: a URL's user-info part could hold credentials.
    static func place(of url: URL) -> String {
        let host = url.host ?? "?"
        return url.port.map { "\(host):\($0)" } ?? host
    }

    /// The `ModelError` this failure is for the backend `model` at `url`: a timeout after `timeout` seconds, or
    /// an unreachable server. `mask` hides secrets in libcurl's own words.
    func modelError(model: String, url: URL, timeout: Double, mask: (String) -> String = { $0 }) -> ModelError {
        let place = Self.place(of: url)
        let detail: String
        switch self {
        case .timedOut: return .timedOut(model: model, seconds: timeout)
        case .cannotConnect: detail = "nothing accepts connections at \(place)"
        case .hostNotFound: detail = "the host of \(place) was not found"
        case .connectionLost: detail = "the connection to \(place) was lost"
        case .tls(let reason): detail = "the TLS connection to \(place) failed (\(mask(reason)))"
        case .other(let reason): detail = "talking to \(place): \(mask(reason))"
        }
        return .unreachable(model: model, detail: detail)
    }
}
