import Foundation
import Testing

@testable import ShopTalkKit

@Suite("Entity extractor")
struct EntityExtractorTests {
    /// 2026-12-01 10:00 UTC, a Tuesday.
    private static let now = Date(timeIntervalSince1970: 1_796_119_200)

    private let extractor = EntityExtractor(
        orderIDs: OrderIDPattern(sampleIDs: ["HL-482913", "HL-100245"]),
        products: [
            ("KIT-0012", "Oak Serving Board Small"), ("KIT-0013", "Oak Serving Board Large"),
            ("MUG-0101", "Stoneware Mug"),
        ])

    private func entities(_ text: String) -> [Entity] {
        extractor.extract(from: text, now: Self.now)
    }

    @Test func theFixedNowIsTheFirstOfDecember() {
        #expect(DateExpressions.iso(Self.now) == "2026-12-01")
    }

    @Test func findsAnOrderID() {
        let found = entities("where is #HL 482913?")
        #expect(found.all("order_id") == ["HL-482913"])
        #expect(found.first { $0.kind == "order_id" }?.text == "#HL 482913")
    }

    @Test func findsAnEmailLowerCased() {
        let found = entities("my email is Ann.Lee+shop@Example.co.uk, thanks")
        #expect(found.all("email") == ["ann.lee+shop@example.co.uk"])
        #expect(found.first { $0.kind == "email" }?.text == "Ann.Lee+shop@Example.co.uk")
    }

    @Test func findsAPhoneAndNoOrderIDInIt() {
        let found = entities("call me on 07700 900123")
        #expect(found.all("phone") == ["07700900123"])
        #expect(found.all("order_id").isEmpty)
        #expect(entities("or +44 7700 900123").all("phone") == ["+447700900123"])
    }

    @Test func datesAndLongNumbersAreNotOrderIDs() {
        #expect(entities("it was meant to come on 2026-12-04").all("order_id").isEmpty)
        #expect(entities("my reference is 1234567").all("order_id").isEmpty)
    }

    @Test func findsAKnownSKUHoweverWritten() {
        #expect(entities("is KIT-0012 in stock?").all("sku") == ["KIT-0012"])
        #expect(entities("is kit 0012 in stock?").all("sku") == ["KIT-0012"])
        #expect(entities("is ABC-9999 in stock?").all("sku").isEmpty)
    }

    @Test func findsAProductByItsNameInAnyOrder() {
        let found = entities("how much is the small oak serving board")
        #expect(found.all("product").first == "KIT-0012")
        #expect(found.first { $0.kind == "product" }?.text == "Oak Serving Board Small")
    }

    @Test func findsAProductFromAPlural() {
        #expect(entities("do you sell stoneware mugs").all("product") == ["MUG-0101"])
    }

    @Test func aSingleCommonWordNamesNoProduct() {
        #expect(entities("is it made of oak").all("product").isEmpty)
    }

    @Test(arguments: [
        ("it should arrive 2026-12-04", "2026-12-04"),
        ("it should arrive 3 December", "2026-12-03"),
        ("it should arrive on the 3rd of December", "2026-12-03"),
        ("it should arrive Dec 3rd", "2026-12-03"),
        ("it should arrive December 3, 2027", "2027-12-03"),
        ("it should arrive tomorrow", "2026-12-02"),
        ("it came yesterday", "2026-11-30"),
    ])
    func readsDates(text: String, date: String) {
        #expect(entities(text).all("date") == [date])
    }

    @Test func anImpossibleDateIsNotRead() {
        #expect(entities("on 31 February").all("date").isEmpty)
    }

    @Test(arguments: [
        ("it cost £12.50", "12.50 GBP"), ("it cost £ 8", "8.00 GBP"), ("it cost €7,5", "7.50 EUR"),
        ("it cost $20", "20.00 USD"), ("it cost 15 pounds", "15.00 GBP"), ("it cost 9.99 EUR", "9.99 EUR"),
    ])
    func readsAmounts(text: String, amount: String) {
        #expect(entities(text).all("amount") == [amount])
    }

    @Test
    func anAmountWithAThousandsSeparatorKeepsItsValue() {
        #expect(entities("I was charged £1,250 for it").all("amount") == ["1250.00 GBP"])
    }

    @Test(arguments: [
        ("can I have 2 of them", "2"), ("send x3", "3"), ("I need 4x", "4"), ("a couple of items", "2"),
        ("three pairs please", "3"),
    ])
    func readsQuantities(text: String, quantity: String) {
        #expect(entities(text).all("quantity") == [quantity])
    }

    @Test func configuredPatternsAddKinds() {
        let custom = EntityExtractor(
            orderIDs: OrderIDPattern(sampleIDs: ["HL-482913"]), products: [],
            patterns: ["gift_card": #"\bGC-[A-Z0-9]{4}\b"#, "broken": "("])
        let found = custom.extract(from: "my card gc-ab12", now: Self.now)
        #expect(found.all("gift_card") == ["gc-ab12"])
    }

    @Test func oneMessageCanHoldManyKinds() {
        let found = entities("Order HL-482913: 2 of them, £12.50 each, due 3 December. ann@example.com")
        #expect(found.first("order_id") == "HL-482913")
        #expect(found.first("quantity") == "2")
        #expect(found.first("amount") == "12.50 GBP")
        #expect(found.first("date") == "2026-12-03")
        #expect(found.first("email") == "ann@example.com")
    }
}
