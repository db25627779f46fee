import Foundation
import Testing

@testable import ChatScript

@Suite("Parsing .chat scripts")
struct ScriptParserTests {
    @Test func everyLineKindIsRead() throws {
        let text = """
            # a comment
            @name tracking
            @tags orders smoke
            @customer C10001
            @prompt support@v2
            @model builtin
            @seed 7
            @now 2026-12-03T10:00:00Z
              user: where is my order HL-482913?
              bot: exact reply
              bot~ contains
              bot! lacks
              bot/ order \\d+/
              expect intent track_order >= 0.7
              expect entity order_id = HL-482913
              expect context HL-482913
              expect no context HL-000001
              expect handoff human_requested
              expect no handoff
              expect cache hit
              expect cache miss
              expect guard injection
              expect no guard
              expect model builtin
              expect prompt support@v2
              expect latency < 300ms
              expect cost < 0.002
            /as C10002
            """
        let script = try ScriptParser.parse(text, file: "t.chat")

        #expect(script.name == "tracking")
        #expect(script.tags == ["orders", "smoke"])
        #expect(script.customer == "C10001")
        #expect(script.prompt == "support@v2")
        #expect(script.model == "builtin")
        #expect(script.seed == 7)
        #expect(script.now == (try Date("2026-12-03T10:00:00Z", strategy: .iso8601)))
        #expect(script.turnCount == 1)
        let expectations: [ChatScript.Expectation] = script.steps.compactMap { step -> ChatScript.Expectation? in
            if case .expect(let expectation) = step.kind { expectation } else { nil }
        }
        #expect(
            expectations == [
                .replyEquals("exact reply"), .replyContains("contains"), .replyLacks("lacks"),
                .replyMatches("order \\d+"),
                .intent("track_order", minimum: 0.7), .entity(kind: "order_id", value: "HL-482913"),
                .context("HL-482913"), .noContext("HL-000001"), .handoff(reason: "human_requested"), .noHandoff,
                .cacheHit, .cacheMiss, .guardFired("injection"), .noGuard, .model("builtin"), .prompt("support@v2"),
                .latencyBelow(milliseconds: 300), .costBelow(0.002),
            ])
        #expect(script.steps.last?.line == 28)
    }

    @Test func theDefaultNameIsTheFileName() throws {
        let script = try ScriptParser.parse("user: hi\n", file: "tests/greeting-basic.chat")
        #expect(script.name == "greeting-basic")
    }

    @Test func everyMalformedLineIsReportedWithLineAndColumn() throws {
        let text = """
            @customer C10001
            bot: too early
            user: hi
              expect intnt greeting
            expect intent greeting >= 2
            bot/ [unclosed/
            /frobnicate
            @when tomorrow
            """
        let error = try #require(throws: ScriptErrors.self) { try ScriptParser.parse(text, file: "bad.chat") }
        let places = error.errors.map { "\($0.line):\($0.column)" }
        #expect(places == ["2:1", "4:10", "5:24", "6:6", "7:1", "8:1"])
        #expect(error.errors[1].text == "intnt")
        #expect(error.errors[1].description.hasPrefix("bad.chat:4:10: expected intent, entity"))
        #expect(error.errors[2].expected.contains("between 0 and 1"))
    }

    @Test func aMessageOfInvisibleCharactersIsStillAMessage() throws {
        let script = try ScriptParser.parse("user: \u{200B}\n", file: "t.chat")
        #expect(script.turnCount == 1)
    }

    @Test func latencyAcceptsSecondsAndMilliseconds() throws {
        let script = try ScriptParser.parse("user: hi\nexpect latency < 0.5s\n", file: "t.chat")
        guard case .expect(let expectation) = script.steps[1].kind else {
            Issue.record("expected an expectation")
            return
        }
        #expect(expectation == .latencyBelow(milliseconds: 500))
    }
}
