import Foundation
import ShopTalkKit
import Testing

@Suite("Model price")
struct ModelPriceTests {
    @Test func cachedInputTokensAreBilledAtTheCachedRate() {
        let price = ModelPrice(input: 2, output: 8, cachedInput: 0.5)
        let response = ModelResponse(
            text: "", inputTokens: 1_000_000, outputTokens: 500_000, cachedInputTokens: 400_000
        )
        #expect(abs(price.cost(of: response) - (0.6 * 2 + 0.4 * 0.5 + 0.5 * 8)) < 1e-9)
    }

    @Test func decodesSnakeCaseKeysAndDefaultsCachedInputToInput() throws {
        let decoder = JSONDecoder()
        let json = #"{"input":0.15,"output":0.6,"cached_input":0.075}"#
        let full = try decoder.decode(ModelPrice.self, from: Data(json.utf8))
        #expect(full == ModelPrice(input: 0.15, output: 0.6, cachedInput: 0.075))
        let plain = try decoder.decode(ModelPrice.self, from: Data(#"{"input":1,"output":2}"#.utf8))
        #expect(plain.cachedInput == 1)
        let encoded = try JSONSerialization.jsonObject(with: JSONEncoder().encode(full)) as? [String: Double]
        #expect(encoded?["cached_input"] == 0.075)
    }

    @Test func defaultPriceCostsNothing() {
        #expect(ModelPrice().cost(of: ModelResponse(text: "hi", inputTokens: 10, outputTokens: 2)) == 0)
    }
}
