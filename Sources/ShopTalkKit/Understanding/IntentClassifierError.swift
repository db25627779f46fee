import Foundation

/// Why a serialized classifier could not be loaded.
public enum IntentClassifierError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The data does not start like a serialized classifier.
    case notAClassifier
    /// Written by a different version of the format; retrain to replace it.
    case unsupportedVersion(Int)
    /// The data ends before the model does.
    case truncated
    /// The bytes were altered after writing.
    case checksumMismatch
    /// The sections contradict each other.
    case inconsistent(String)

    public var description: String {
        switch self {
        case .notAClassifier: "data is not a serialized intent classifier"
        case .unsupportedVersion(let version): "unsupported intent classifier format version \(version)"
        case .truncated: "serialized intent classifier is truncated"
        case .checksumMismatch: "serialized intent classifier is corrupt (checksum mismatch)"
        case .inconsistent(let detail): "serialized intent classifier is inconsistent: \(detail)"
        }
    }
}
