/// Thrown when no model of the chain produced a reply.
public struct RoutingFailure: Error, CustomStringConvertible, Sendable {
    /// All attempts in order.
    public var attempts: [ModelAttempt]
    /// The last model fault, if any attempt ended with one.
    public var lastError: ModelError?

    /// Creates a failure record.
    public init(attempts: [ModelAttempt], lastError: ModelError?) {
        self.attempts = attempts
        self.lastError = lastError
    }

    /// Each attempt's model and fault on one line.
    public var description: String {
        guard !attempts.isEmpty else { return "no model could answer: none of the named models is set up" }
        let tried = attempts.map { "\($0.model): \($0.error ?? $0.outcome)" }
        return "no model could answer (\(tried.joined(separator: "; ")))"
    }
}
