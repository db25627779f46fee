import Foundation
import Testing

@testable import ShopTalkKit

@Suite("CSV table")
struct CSVTableTests {
    @Test func quotedFieldsKeepCommasQuotesAndNewlines() throws {
        let text = """
            sku,name,description
            KIT-0012,"Board, oak","She said ""lovely"" twice"
            KIT-0013,Mug,"first line
            second line"
            KIT-0014,Plate,plain

            """
        let table = try CSVTable(text: text, file: "catalog.csv")
        #expect(table.header == ["sku", "name", "description"])
        #expect(
            table.records.map(\.fields) == [
                ["KIT-0012", "Board, oak", "She said \"lovely\" twice"],
                ["KIT-0013", "Mug", "first line\nsecond line"],
                ["KIT-0014", "Plate", "plain"],
            ])
        // A record's line is where it starts; the embedded newline moves the next record down one.
        #expect(table.records.map(\.line) == [2, 3, 5])
    }

    @Test func crlfLineEndingsLeaveNoCarriageReturns() throws {
        let text = "sku,name\r\nA-1,\"Oak, small\"\r\nB-2,Mug\r\n"
        let table = try CSVTable(text: text, file: "catalog.csv")
        #expect(table.header == ["sku", "name"])
        #expect(table.records.map(\.fields) == [["A-1", "Oak, small"], ["B-2", "Mug"]])
        #expect(table.records.map(\.line) == [2, 3])
    }

    @Test func aLastLineWithoutNewlineIsARecord() throws {
        let table = try CSVTable(text: "a,b\n1,2\n3,4", file: "t.csv")
        #expect(table.records.map(\.fields) == [["1", "2"], ["3", "4"]])
    }

    @Test func emptyQuotedFieldsAndBlankLines() throws {
        let table = try CSVTable(text: "a,b,c\n\n\"\",x,\n", file: "t.csv")
        #expect(table.records.map(\.fields) == [["", "x", ""]])
        #expect(table.records.first?.line == 3)
    }

    @Test func wrongFieldCountNamesTheLine() throws {
        let text = "sku,name,price\nA-1,\"Mug\nlarge\",3.00\nB-2,Plate\nC-3,Bowl,4.00\n"
        let error = try #require(throws: WorkspaceError.self) { try CSVTable(text: text, file: "catalog.csv") }
        guard case .malformed(let file, let line, let expected) = error else {
            Issue.record("expected .malformed, got \(error)")
            return
        }
        #expect(file == "catalog.csv")
        #expect(line == 4)
        #expect(expected.contains("3 fields"))
        #expect(expected.contains("found 2"))
    }

    @Test func tooManyFieldsIsAlsoMalformed() throws {
        let error = try #require(throws: WorkspaceError.self) {
            try CSVTable(text: "a,b\n1,2\n1,2,3\n", file: "t.csv")
        }
        guard case .malformed(_, let line, let expected) = error else {
            Issue.record("expected .malformed, got \(error)")
            return
        }
        #expect(line == 3)
        #expect(expected.contains("found 3"))
    }

    @Test func requireNamesTheFirstMissingColumn() throws {
        let table = try CSVTable(text: "sku, name ,price\nA-1,Mug,3\n", file: "catalog.csv")
        try table.require(["sku", "name", "price"])
        let error = try #require(throws: WorkspaceError.self) { try table.require(["sku", "stock", "currency"]) }
        guard case .malformed(let file, let line, let expected) = error else {
            Issue.record("expected .malformed, got \(error)")
            return
        }
        #expect(file == "catalog.csv")
        #expect(line == 1)
        #expect(expected.contains("'stock'"))
        #expect(!expected.contains("currency"))
    }

    @Test func anUnclosedQuoteIsReportedAtItsRecord() throws {
        let text = "a,b\n1,2\n3,\"never closed\n4,5\n"
        let error = try #require(throws: WorkspaceError.self) { try CSVTable(text: text, file: "orders.csv") }
        guard case .malformed(let file, let line, let expected) = error else {
            Issue.record("expected .malformed, got \(error)")
            return
        }
        #expect(file == "orders.csv")
        #expect(line == 3)
        #expect(expected.contains("closing quote"))
    }

    @Test func anEmptyFileHasNoHeader() throws {
        let error = try #require(throws: WorkspaceError.self) { try CSVTable(text: "", file: "t.csv") }
        #expect(error == .malformed(file: "t.csv", line: 1, expected: "a header line"))
    }

    @Test func dictionariesKeyFieldsByColumn() throws {
        let table = try CSVTable(text: "text,intent\nwhere is my order,track_order\n", file: "intents.csv")
        let rows = table.dictionaries
        #expect(rows.count == 1)
        #expect(rows.first?.line == 2)
        #expect(rows.first?.values == ["text": "where is my order", "intent": "track_order"])
    }

    @Test func aByteOrderMarkDoesNotBecomePartOfTheFirstColumnName() throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        let file = try directory.write("\u{FEFF}sku,name\r\nA-1,Mug\r\n", to: "catalog.csv")
        let table = try CSVTable(contentsOf: file)
        #expect(table.header == ["sku", "name"])
        #expect(throws: Never.self) { try table.require(["sku"]) }
    }

    @Test func anUnreadableFileIsReportedAsSuch() throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        let file = directory.url.appendingPathComponent("missing.csv")
        let error = try #require(throws: WorkspaceError.self) { try CSVTable(contentsOf: file) }
        guard case .unreadable(let path, _) = error else {
            Issue.record("expected .unreadable, got \(error)")
            return
        }
        #expect(path == file.path)
    }
}
