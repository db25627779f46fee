import Foundation

/// A chat-completions reply, or one chunk of a streamed reply; every member is optional because
/// compatible servers differ in what they leave out.
struct ChatCompletionReply: Decodable {
    /// One candidate reply; a full reply fills `message`, a stream chunk fills `delta`.
    struct Choice: Decodable {
        var message: Content?
        var delta: Content?
        var finishReason: String?

        private enum CodingKeys: String, CodingKey {
            case message, delta
            case finishReason = "finish_reason"
        }
    }

    /// The text of a message or delta; `null` when the model produced only tool calls.
    struct Content: Decodable {
        var content: String?
    }

    /// Token counts as the server reports them.
    struct Usage: Decodable {
        /// Breakdown of the prompt tokens; only some providers send it.
        struct PromptDetails: Decodable {
            var cachedTokens: Int?

            private enum CodingKeys: String, CodingKey {
                case cachedTokens = "cached_tokens"
            }
        }

        var promptTokens: Int?
        var completionTokens: Int?
        var promptTokensDetails: PromptDetails?

        private enum CodingKeys: String, CodingKey {
            case promptTokens = "prompt_tokens"
            case completionTokens = "completion_tokens"
            case promptTokensDetails = "prompt_tokens_details"
        }
    }

    var choices: [Choice]?
    var usage: Usage?
    /// Some servers report failures inside a 200 body, as an object or a bare string.
    var error: TemplateValue?

    /// The server's own words about a failure, when the body carries one.
    var errorMessage: String? {
        guard let error, error != .null else { return nil }
        let message = error["message"]?.text ?? error.text
        return message.isEmpty ? "unspecified error" : message
    }
}
