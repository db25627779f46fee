import Foundation

/// One step of a streamed reply.
public enum ModelStreamEvent: Hashable, Sendable {
    /// The next piece of reply text, in order.
    case delta(String)
    /// The whole reply with its token counts; always the last event of a successful stream.
    case done(ModelResponse)
}
