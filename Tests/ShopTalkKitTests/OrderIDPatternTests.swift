import Foundation
import Testing

@testable import ShopTalkKit

@Suite("Order id pattern")
struct OrderIDPatternTests {
    private let pattern = OrderIDPattern(sampleIDs: ["HL-482913", "HL-100245", "HL-777001"])

    private func values(_ text: String, prefixed: Bool = false) -> [String] {
        pattern.matches(in: text, prefixed: prefixed).map(\.value)
    }

    @Test func learnsPrefixSeparatorAndLength() {
        #expect(pattern.prefixes == ["HL"])
        #expect(pattern.separator == "-")
        #expect(pattern.digitCounts == [6])
    }

    @Test(arguments: [
        "HL-482913", "#HL 482913", "hl482913", "HL 482 913", "482913", "#482913", "Hl_482913", "HL/482913",
    ])
    func recognisesTheWaysCustomersWriteAnID(written: String) {
        let text = "hi, where is order \(written)? thanks"
        let found = pattern.matches(in: text)
        #expect(found.map(\.value) == ["HL-482913"])
        #expect(found.first.map { String(text[$0.range]) }?.contains(written.suffix(3)) == true)
    }

    @Test func prefixedIDsOfTheWrongLengthAreMisshapenAndRightOnesAreNot() {
        let text = "is it HL-48291, hl 4829131 or HL-482913? not 48291 nor 4829131"
        #expect(pattern.misshapenIDs(in: text).map(\.value) == ["HL-48291", "HL-4829131"])
        #expect(pattern.misshapenIDs(in: "where is HL-482913").isEmpty)
        #expect(OrderIDPattern(sampleIDs: ["482913", "100245"]).misshapenIDs(in: "order 48291").isEmpty)
    }

    @Test func findsSeveralIDsInOrder() {
        #expect(values("HL-482913 and hl 100245, also 777001.") == ["HL-482913", "HL-100245", "HL-777001"])
    }

    @Test func doesNotReadADateAsAnID() {
        #expect(values("it was due on 2026-12-04").isEmpty)
        #expect(values("ordered 04/12/2026 at 10:30").isEmpty)
    }

    @Test func doesNotReadAnUnspacedPhoneNumberAsAnID() {
        #expect(values("call me on 07700900123 please").isEmpty)
        #expect(values("or +447700900123").isEmpty)
    }

    @Test
    func doesNotReadASpacedPhoneNumberAsAnID() {
        #expect(values("call me on 07700 900123 please").isEmpty)
    }

    @Test func doesNotReadOtherLengthsAsAnID() {
        #expect(values("reference 1234567").isEmpty)
        #expect(values("HL-4829131").isEmpty)
        #expect(values("code 48291").isEmpty)
        #expect(values("HL-482913-2").isEmpty)
    }

    @Test func prefixedOnlySkipsBareNumbers() {
        #expect(values("order 482913 or HL-100245", prefixed: true) == ["HL-100245"])
    }

    @Test func bareNumericIDsStayBare() {
        let bare = OrderIDPattern(sampleIDs: ["100234", "100235"])
        #expect(bare.prefixes == [""])
        #expect(bare.matches(in: "order #100234 please").map(\.value) == ["100234"])
        #expect(bare.matches(in: "order 100234", prefixed: true).map(\.value) == ["100234"])
    }

    @Test func unusableSamplesFallBackToAGenericShape() {
        let generic = OrderIDPattern(sampleIDs: ["not an id", ""])
        #expect(generic.prefixes == ["ORD"])
        #expect(generic.digitCounts == [4, 5, 6, 7, 8])
        #expect(generic.matches(in: "ord 12345").map(\.value) == ["ORD-12345"])
    }

    @Test func severalPrefixesAreEachKept() {
        let mixed = OrderIDPattern(sampleIDs: ["HL-482913", "WEB_12345", "WEB_22345"])
        #expect(Set(mixed.prefixes) == ["HL", "WEB"])
        #expect(mixed.separator == "_")
        #expect(mixed.matches(in: "hl 482913 and web-12345").map(\.value) == ["HL_482913", "WEB_12345"])
    }
}
