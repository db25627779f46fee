import Foundation

/// The JSON body of a chat-completions request in the OpenAI wire format.
struct ChatCompletionBody: Encodable {
    /// Asks a streaming server to send a final chunk carrying the token usage.
    struct StreamOptions: Encodable {
        var includeUsage: Bool

        private enum CodingKeys: String, CodingKey {
            case includeUsage = "include_usage"
        }
    }

    var model: String
    var messages: [ChatMessage]
    var temperature: Double
    var maxTokens: Int
    var seed: Int?
    var stream: Bool
    var streamOptions: StreamOptions?

    private enum CodingKeys: String, CodingKey {
        case model, messages, temperature, seed, stream
        case maxTokens = "max_tokens"
        case streamOptions = "stream_options"
    }
}
