import Foundation
import Testing

@testable import ShopTalkKit

@Suite("Template")
struct TemplateTests {
    private func render(_ source: String, _ context: TemplateValue) throws -> String {
        try Template(source).render(context)
    }

    @Test func variablesAreReplacedWithoutEscaping() throws {
        #expect(
            try render("Hello {{name}}, {{ greeting }}!", ["name": "Ann & <Bo>", "greeting": "welcome"])
                == "Hello Ann & <Bo>, welcome!")
    }

    @Test func numbersAndBooleansRenderAsText() throws {
        let context: TemplateValue = ["count": .number(3), "price": .number(12.5), "open": .bool(true)]
        #expect(try render("{{count}} at {{price}}, open: {{open}}", context) == "3 at 12.5, open: true")
    }

    @Test func dottedNamesReachIntoObjects() throws {
        let context: TemplateValue = ["store": ["name": "Harbour Lane", "address": ["town": "Leeds"]]]
        #expect(try render("{{store.name}} of {{store.address.town}}", context) == "Harbour Lane of Leeds")
    }

    @Test func sectionsRepeatOverLists() throws {
        let context: TemplateValue = [
            "orders": [["id": "HL-1", "status": "shipped"], ["id": "HL-2", "status": "paid"]]
        ]
        #expect(try render("{{#orders}}[{{id}}: {{status}}]{{/orders}}", context) == "[HL-1: shipped][HL-2: paid]")
    }

    @Test func sectionsOverAnObjectEnterIt() throws {
        let context: TemplateValue = ["customer": ["name": "Ann"], "store": "Harbour Lane"]
        // Names not found in the object are looked up in the enclosing context.
        #expect(try render("{{#customer}}{{name}} at {{store}}{{/customer}}", context) == "Ann at Harbour Lane")
    }

    @Test func falsySectionsRenderNothing() throws {
        let context: TemplateValue = ["empty": [], "no": .bool(false), "blank": "", "none": .null]
        let source =
            "<{{#empty}}a{{/empty}}{{#no}}b{{/no}}{{#blank}}c{{/blank}}{{#none}}d{{/none}}{{#absent}}e{{/absent}}>"
        #expect(try render(source, context) == "<>")
    }

    @Test func invertedSectionsRenderWhenTheValueIsFalsyOrMissing() throws {
        let source = "{{^orders}}no orders{{/orders}}"
        #expect(try render(source, ["orders": []]) == "no orders")
        #expect(try render(source, [:]) == "no orders")
        #expect(try render(source, ["orders": [["id": "HL-1"]]]) == "")
    }

    @Test func dotIsTheCurrentItem() throws {
        #expect(try render("{{#tags}}<{{.}}>{{/tags}}", ["tags": ["oak", "small"]]) == "<oak><small>")
    }

    @Test func commentsRenderNothing() throws {
        #expect(try render("a{{! a note, with {braces} }}b", [:]) == "ab")
    }

    @Test func missingValuesRenderEmpty() throws {
        #expect(try render("[{{nope}}][{{store.nope}}][{{nope.deeper}}]", ["store": ["name": "x"]]) == "[][][]")
    }

    @Test func namesListsTheTopLevelNamesUsed() throws {
        let template = try Template("{{store.name}} {{#orders}}{{id}}{{/orders}} {{^x}}{{/x}}")
        #expect(template.names == ["store", "orders", "id", "x"])
    }

    @Test func anUnclosedTagIsPlacedOnItsLine() throws {
        let error = try #require(throws: TemplateError.self) {
            try Template("one\ntwo {{name\nthree", file: "p.prompt", firstLine: 10)
        }
        #expect(error.file == "p.prompt")
        #expect(error.line == 11)
        #expect(error.message.contains("unclosed"))
    }

    @Test func anUnclosedSectionIsPlacedAtItsOpeningTag() throws {
        let error = try #require(throws: TemplateError.self) {
            try Template("one\n\n{{#orders}}\n{{id}}\n", file: "p.prompt")
        }
        #expect(error.line == 3)
        #expect(error.message.contains("orders"))
        #expect(error.message.contains("never closed"))
    }

    @Test func aMismatchedCloseIsPlacedAtTheClosingTag() throws {
        let error = try #require(throws: TemplateError.self) {
            try Template("{{#orders}}\n{{id}}\n{{/order}}", file: "p.prompt")
        }
        #expect(error.line == 3)
        #expect(error.message.contains("order"))
    }

    @Test func aCloseWithNoSectionOpenIsAnError() throws {
        let error = try #require(throws: TemplateError.self) { try Template("a\n{{/orders}}") }
        #expect(error.file == "<template>")
        #expect(error.line == 2)
    }

    @Test func badNamesAndEmptyTagsAreErrors() throws {
        #expect(throws: TemplateError.self) { try Template("{{bad name}}") }
        #expect(throws: TemplateError.self) { try Template("{{a..b}}") }
        #expect(throws: TemplateError.self) { try Template("{{}}") }
    }
}
