import Foundation
import ShopTalkTestSupport
import Testing

@testable import ChatScript
@testable import ShopTalkKit

#if canImport(FoundationXML)
    import FoundationXML
#endif

@Suite("Running scripts against the sample")
struct ScriptRunnerTests {
    @Test func aPassingScriptPassesAndABrokenExpectationFailsWithWhatWasSeen() async throws {
        let runner = ScriptRunner(engine: try SampleWorkspace.engine())
        let text = """
            @customer C10161
            user: where is my order HL-876352?
            expect intent track_order
            bot~ Royal Mail
            bot~ DHL
            expect handoff
            """
        let result = await runner.run(try ScriptParser.parse(text, file: "t.chat"))

        #expect(!result.passed)
        #expect(result.outcomes.map(\.passed) == [true, true, false, false])
        #expect(result.failures.first?.seen?.contains("Royal Mail") == true)
        #expect(result.failures.last?.seen == "no handoff")
        let report = Reporters.failure(result)
        #expect(report.contains("t.chat:5: bot~ DHL"))
        #expect(report.contains("after: user: where is my order HL-876352?"))
    }

    @Test func aSavedSessionPassesWhenRunStraightAway() async throws {
        let engine = try SampleWorkspace.engine()
        let session = try engine.makeSession(customerID: "C10161")
        await session.pinClock(try Date("2026-12-03T10:00:00Z", strategy: .iso8601))
        for message in [
            "hello", "where is my order?", "where is HL-876352", "what is your returns policy",
            "what's the weather like", "I want a human",
        ] {
            _ = try await session.send(message)
        }
        let pins = ScriptRecorder.Pins(
            prompt: await session.prompt.reference, model: nil, seed: nil,
            now: await session.pinnedNow)
        let text = ScriptRecorder.script(name: "saved", turns: await session.turns, pins: pins)

        let result = await ScriptRunner(engine: engine).run(try ScriptParser.parse(text, file: "saved.chat"))

        #expect(text.contains("@customer C10161"))
        #expect(text.contains("expect handoff human_requested"))
        #expect(result.error == nil)
        let report = Reporters.failure(result)
        #expect(result.passed, "\(report)")
        #expect(result.outcomes.count >= 18)
    }

    @Test func scriptsRunInIsolatedSessionsWhateverTheOrder() async throws {
        let runner = ScriptRunner(engine: try SampleWorkspace.engine())
        let text = "user: how long do refunds take?\nexpect cache miss\n"
        let script = try ScriptParser.parse(text, file: "t.chat")
        let results = await TestSuite(scripts: [script, script, script]).run(with: runner, jobs: 3)
        let all = results.flatMap { $0 }
        #expect(all.count == 3)
        #expect(all.allSatisfy { $0.passed })
    }

    @Test func junitReportCountsTestsFailuresAndTime() async throws {
        let runner = ScriptRunner(engine: try SampleWorkspace.engine())
        let good = try ScriptParser.parse("@name good\nuser: hi\nexpect intent greeting\n", file: "good.chat")
        let bad = try ScriptParser.parse("@name bad & <odd>\nuser: hi\nexpect intent thanks\n", file: "bad.chat")
        let results = await TestSuite(scripts: [good, bad]).run(with: runner, jobs: 2).flatMap { $0 }

        let xml = Reporters.junit(results)

        #expect(xml.contains(#"tests="2" failures="1" errors="0""#))
        #expect(xml.contains(#"<testcase name="good" classname="good.chat" time=""#))
        #expect(xml.contains(#"name="bad &amp; &lt;odd&gt;""#))
        #expect(xml.contains("<failure message=\"line 3: expect intent thanks\""))
        let parsed = try XMLDocument(xmlString: xml)
        #expect(try parsed.nodes(forXPath: "//testcase").count == 2)
    }
}

@Suite("Replaying logged sessions")
struct ReplayerTests {
    @Test func replayReportsNoChangeForTheSamePipelineAndNeverTouchesTheOriginal() async throws {
        let engine = try SampleWorkspace.engine()
        let session = try engine.makeSession(customerID: "C10161")
        _ = try await session.send("hi")
        _ = try await session.send("where is HL-876352")
        let before = try engine.audit.entries(sessionID: session.id)

        let replay = try await Replayer(engine: engine).replay(sessionID: session.id, against: nil, live: false)

        #expect(replay.comparisons.count == 2)
        #expect(replay.changed == 0)
        #expect(try engine.audit.entries(sessionID: session.id) == before)
        let replayed = try engine.audit.turns(sessionID: replay.replayID)
        #expect(replayed.allSatisfy { $0.flags.contains("replay_of:\(session.id)") })
        #expect(try engine.audit.verify().isIntact)
    }

    @Test func replayPinsTheModelTheSessionPinned() async throws {
        let engine = try SampleWorkspace.engine()
        let session = try engine.makeSession(customerID: "C10161")
        try await session.useModel("builtin")
        let pinned = try await session.send("what is your returns policy?")
        try await session.useModel(nil)
        let routed = try await session.send("can I return an opened duvet cover?")
        #expect(pinned.route.reason == "session_override" && routed.route.reason == "intent")

        let replay = try await Replayer(engine: engine).replay(sessionID: session.id, against: nil, live: false)
        let replayed = try engine.audit.turns(sessionID: replay.replayID)
        #expect(replayed.map(\.route.reason) == ["session_override", "intent"])
        #expect(replay.changed == 0)
    }

    @Test func replayAgainstAnotherVersionShowsThePromptAndReplyChanges() async throws {
        let engine = try SampleWorkspace.engine()
        let session = try engine.makeSession()
        try await session.usePrompt("support@v2")
        _ = try await session.send("hello")

        let replay = try await Replayer(engine: engine).replay(
            sessionID: session.id, against: "support@v1", live: false)

        let fields = replay.comparisons.first?.changes.map(\.field)
        #expect(fields == ["prompt", "reply"])
    }

    @Test func recordedOutputsAreReusedAndChangedPromptsOfOutsideModelsNeedALiveCall() async throws {
        let engine = try SampleWorkspace.engine()
        let session = try engine.makeSession()
        let recorded = try await session.send("how long do refunds take?")
        var fromOutsideModel = recorded
        fromOutsideModel.model = "local"
        fromOutsideModel.modelOutput = "Refunds take a fortnight (recorded answer)."

        let replaying = try engine.makeSession(isolated: true)
        await replaying.replaying([fromOutsideModel], of: session.id, live: false)
        let reused = try await replaying.send("how long do refunds take?")
        #expect(reused.reply.contains("recorded answer"))
        #expect(reused.flags.contains("recorded_output"))

        try await replaying.useModel("local")
        let changed = try await replaying.send("and for a gift card?")
        #expect(changed.flags.contains("needs_live_call"))
        #expect(changed.attempts.isEmpty)
    }
}
