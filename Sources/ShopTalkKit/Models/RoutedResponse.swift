/// A reply together with the model that gave it and every attempt made on the way.
public struct RoutedResponse: Hashable, Sendable {
    /// The reply.
    public var response: ModelResponse
    /// The configured name of the model that answered.
    public var model: String
    /// All attempts in order; the last one is the `ok` one.
    public var attempts: [ModelAttempt]

    /// Creates a routed reply.
    public init(response: ModelResponse, model: String, attempts: [ModelAttempt]) {
        self.response = response
        self.model = model
        self.attempts = attempts
    }
}
