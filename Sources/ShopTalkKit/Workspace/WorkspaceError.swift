/// Problems loading a workspace: each names the file, the line where known, and what was expected.
public enum WorkspaceError: Error, CustomStringConvertible, Sendable, Equatable {
    case notFound(path: String)
    case unreadable(file: String, reason: String)
    case malformed(file: String, line: Int, expected: String)
    case invalidConfig(file: String, key: String, expected: String)

    public var description: String {
        switch self {
        case .notFound(let path):
            "no workspace at \(path): expected a directory holding shoptalk.json (samples/retailer is a complete example)"
        case .unreadable(let file, let reason): "\(file): \(reason)"
        case .malformed(let file, let line, let expected): "\(file):\(line): expected \(expected)"
        case .invalidConfig(let file, let key, let expected): "\(file): '\(key)' \(expected)"
        }
    }
}
