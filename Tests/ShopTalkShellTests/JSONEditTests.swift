import Foundation
import Testing

@testable import ShopTalkShell

@Suite("Editing one setting of a hand-written shoptalk.json")
struct JSONEditTests {
    private func threshold(in text: String) throws -> Double? {
        let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
        return (object?["understanding"] as? [String: Any])?["threshold"] as? Double
    }

    @Test func anExistingNumberIsReplacedAndNothingElseMoves() throws {
        let text = """
            {
              "name": "Shop",
              "understanding": {"embeddings": {"base_url": "http://127.0.0.1:8089/v1", "threshold": 7},
                                "threshold": 0.25},
              "sandbox": false
            }

            """
        let edited = try #require(JSONEdit.settingNumber(0.1481, at: ["understanding", "threshold"], in: text))
        #expect(edited == text.replacingOccurrences(of: "\"threshold\": 0.25", with: "\"threshold\": 0.1481"))
        #expect(try threshold(in: edited) == 0.1481)
    }

    @Test func aMissingKeyIsInsertedIntoItsObject() throws {
        let text = #"{"name": "Shop", "understanding": {"embeddings": {"base_url": "u"}}}"#
        let edited = try #require(JSONEdit.settingNumber(0.2, at: ["understanding", "threshold"], in: text))
        #expect(edited == #"{"name": "Shop", "understanding": {"threshold": 0.2, "embeddings": {"base_url": "u"}}}"#)

        let empty = try #require(
            JSONEdit.settingNumber(0.2, at: ["understanding", "threshold"], in: #"{"understanding": {}}"#))
        #expect(try threshold(in: empty) == 0.2)
    }

    @Test func aMissingObjectIsAddedAtTheEnd() throws {
        let text = """
            {
              "name": "understanding",
              "routing": {"default": "builtin"}
            }

            """
        let edited = try #require(JSONEdit.settingNumber(0.3, at: ["understanding", "threshold"], in: text))
        #expect(edited.hasPrefix("{\n  \"name\": \"understanding\",\n  \"routing\": {\"default\": \"builtin\"},\n"))
        #expect(edited.hasSuffix("\"understanding\": {\"threshold\": 0.3}\n}\n"))
        #expect(try threshold(in: edited) == 0.3)

        let windows = try #require(
            JSONEdit.settingNumber(0.3, at: ["understanding", "threshold"], in: "{\r\n  \"name\": \"Shop\"\r\n}\r\n"))
        #expect(windows == "{\r\n  \"name\": \"Shop\",\r\n  \"understanding\": {\"threshold\": 0.3}\r\n}\r\n")

        let bare = try #require(JSONEdit.settingNumber(0.3, at: ["understanding", "threshold"], in: "{}"))
        #expect(try threshold(in: bare) == 0.3)
    }

    @Test func aShapeItCannotEditIsLeftToTheCaller() {
        #expect(JSONEdit.settingNumber(0.3, at: ["understanding", "threshold"], in: #"{"understanding": 3}"#) == nil)
        #expect(JSONEdit.settingNumber(0.3, at: ["understanding", "threshold"], in: "[]") == nil)
    }
}
