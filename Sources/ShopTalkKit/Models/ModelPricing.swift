/// Prices of a model per million tokens.
public struct ModelPrice: Codable, Sendable, Hashable {
    public var input: Double
    public var output: Double
    public var cachedInput: Double

    enum CodingKeys: String, CodingKey {
        case input, output
        case cachedInput = "cached_input"
    }

    /// Prices per million tokens; cached input costs the same as input unless given.
    public init(input: Double = 0, output: Double = 0, cachedInput: Double? = nil) {
        self.input = input
        self.output = output
        self.cachedInput = cachedInput ?? input
    }

    public init(from decoder: Decoder) throws {
        let keys = try decoder.container(keyedBy: CodingKeys.self)
        input = try keys.decodeIfPresent(Double.self, forKey: .input) ?? 0
        output = try keys.decodeIfPresent(Double.self, forKey: .output) ?? 0
        cachedInput = try keys.decodeIfPresent(Double.self, forKey: .cachedInput) ?? input
    }

    /// The cost of one response: cached input tokens at the cached price, the rest at the input price.
    public func cost(of response: ModelResponse) -> Double {
        let cached = Double(min(response.cachedInputTokens, response.inputTokens))
        let fresh = Double(response.inputTokens) - cached
        return (fresh * input + cached * cachedInput + Double(response.outputTokens) * output) / 1_000_000
    }
}
