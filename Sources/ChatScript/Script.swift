import Foundation

/// A parsed `.chat` script: metadata, then the steps in order.
public struct Script: Sendable {
    public var file: String
    public var name: String
    public var tags: [String] = []
    public var customer: String?
    public var prompt: String?
    public var model: String?
    public var seed: Int?
    public var now: Date?
    public var steps: [Step] = []

    /// The number of customer messages.
    public var turnCount: Int {
        steps.count { if case .user = $0.kind { true } else { false } }
    }
}

/// One line of a script that does something.
public struct Step: Sendable {
    public enum Kind: Sendable {
        /// A customer message: starts a turn.
        case user(String)
        /// An expectation on the latest turn.
        case expect(Expectation)
        /// A shell command, run as if typed.
        case command(String)
    }

    public var kind: Kind
    public var line: Int
    /// The line as written, for reports.
    public var source: String
}

/// What a script expects of the latest turn.
public enum Expectation: Sendable, Hashable {
    case replyEquals(String)
    case replyContains(String)
    case replyLacks(String)
    case replyMatches(String)
    case intent(String, minimum: Double?)
    case entity(kind: String, value: String)
    case context(String)
    case noContext(String)
    case handoff(reason: String?)
    case noHandoff
    case cacheHit
    case cacheMiss
    case guardFired(String)
    case noGuard
    case model(String)
    case prompt(String)
    case latencyBelow(milliseconds: Double)
    case costBelow(Double)
}
