import Foundation
import Testing

@Suite("The shell driven through a pipe")
struct PipedShellTests {
    @Test func aScriptedConversationAnswersFromTheOrdersAndTheFAQ() throws {
        let workspace = try TestWorkspace()
        let input = """
            /as C10161
            where is my order HL-876352?
            how long do refunds take?
            I'd like to speak to a person
            /quit

            """
        let result = try workspace.run([], input: input)

        #expect(result.status == 0)
        #expect(result.error.isEmpty)
        let lines = result.output.split(separator: "\n").map(String.init)
        #expect(lines.first == "now acting as C10161 (Margaret O'Brien)")
        // HL-876352 in orders.csv: C10161, packed, Royal Mail, eta 2026-12-04.
        #expect(lines[1].contains("HL-876352 is packed"))
        #expect(lines[1].contains("Royal Mail"))
        #expect(lines[1].contains("2026-12-04"))
        // knowledge/refunds.md, "How long refunds take".
        #expect(lines[2].contains("within 5-10 working days"))
        #expect(lines[3].contains("connecting you with a member of our support team"))
        #expect(lines[3].contains("reference HO-"))
        #expect(!result.output.contains("\u{1b}["))
    }

    @Test func saveNeverReplacesAnExistingScriptUnlessForced() throws {
        let workspace = try TestWorkspace()
        let script = workspace.directory.appendingPathComponent("kept.chat")
        try "user: hello\n".write(to: script, atomically: true, encoding: .utf8)

        let refused = try workspace.run([], input: "hello\n/save \(script.path)\n")
        #expect(refused.error.contains("kept.chat already exists: /save \(script.path) --force replaces it"))
        #expect(try String(contentsOf: script, encoding: .utf8) == "user: hello\n")

        let forced = try workspace.run([], input: "thanks\n/save \(script.path) --force\n")
        #expect(forced.output.contains("saved 1 turn to \(script.path)"))
        #expect(try String(contentsOf: script, encoding: .utf8).contains("user: thanks"))
    }

    @Test func anUnknownOptionIsCalledAnOption() throws {
        let workspace = try TestWorkspace()
        let option = try workspace.run(["--bogus"], input: "")
        #expect(option.status == 2)
        #expect(option.error.contains("unknown option '--bogus'"))
        let command = try workspace.run(["frobnicate"], input: "")
        #expect(command.status == 2)
        #expect(command.error.contains("unknown command 'frobnicate'"))
    }

    @Test func unknownCommandsSuggestTheNearestOne() throws {
        let workspace = try TestWorkspace()
        let result = try workspace.run([], input: "/hlep\n/foo\n/trace\n")
        #expect(result.status == 0)
        #expect(result.error.contains("unknown command /hlep — did you mean /help?"))
        #expect(result.error.contains("unknown command /foo (/help lists them all)"))
        #expect(result.error.contains("no turn yet"))
    }

    @Test func doubleSlashSendsALiteralMessageAndTripleQuotesSpanLines() throws {
        let workspace = try TestWorkspace()
        let result = try workspace.run([], input: "//help\n\"\"\"\nhello\nthere\n\"\"\"\n/trace\n")
        #expect(result.status == 0)
        #expect(result.output.contains("message   hello there") || result.output.contains("message   hello\nthere"))
        #expect(result.output.components(separatedBy: "bot> ").count == 3)
    }

    @Test func ctrlCOnAPipedRunStopsItOnceTheTurnItCutShortIsAudited() throws {
        let workspace = try TestWorkspace()
        let server = try SilentListener()
        try workspace.pointLocalModel(atPort: server.port)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: TestWorkspace.binary)
        process.arguments = ["--workspace", workspace.directory.path]
        process.environment = ["PATH": "/usr/bin:/bin", "HOME": workspace.directory.path]
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        input.fileHandleForWriting.write(Data("/model use local\nwhat is your returns policy?\nthanks\n".utf8))
        try input.fileHandleForWriting.close()

        #expect(server.waitForConnection())
        kill(process.processIdentifier, SIGINT)
        let printed = String(decoding: TestWorkspace.readToEnd(output.fileHandleForReading), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 130)
        // The cut turn got its fallback reply; "thanks" was never sent.
        #expect(printed.components(separatedBy: "bot> ").count == 2)
        let audit = try workspace.run(["audit", "tail", "5", "--json"], input: "")
        #expect(audit.output.split(separator: "\n").count == 1)
        #expect(audit.output.contains("\"outcome\":\"cancelled\""))
    }

    @Test func statsCountTurnsByRouteIntentAndFlag() throws {
        let workspace = try TestWorkspace()
        let result = try workspace.run([], input: "hi\nwhat is the meaning of life\nthanks\n/stats\n")
        #expect(result.output.contains("turns: 3 "))
        #expect(result.output.contains("intents: "))
        #expect(result.output.contains("out_of_scope 1"))
        #expect(result.output.contains("flags: fallback 1"))
    }

    @Test func blankLinesSendNothingAndLeaveNoAuditRecord() throws {
        let workspace = try TestWorkspace()
        let result = try workspace.run([], input: "hi\n\n   \nthanks\n")
        #expect(result.output.components(separatedBy: "bot> ").count == 3)
        let verify = try workspace.run(["audit", "verify"], input: "")
        #expect(verify.output.contains("audit log intact: 2 entries"))
    }

    @Test func inputEndingInsideABlockSaysItsLinesWereNotSentAndExitsTwo() throws {
        let workspace = try TestWorkspace()
        let result = try workspace.run([], input: "hi\n\"\"\"\nline one\nline two\n")
        #expect(result.status == 2)
        #expect(result.output.components(separatedBy: "bot> ").count == 2)
        #expect(result.error.contains("input ended inside a \"\"\" block: its 2 lines were not sent"))
    }

    @Test func auditVerifyAfterAConversationReportsAnIntactChain() throws {
        let workspace = try TestWorkspace()
        _ = try workspace.run([], input: "hello\nwhere is my order\nthanks\n")
        let result = try workspace.run(["audit", "verify"], input: "")
        #expect(result.status == 0)
        #expect(result.output.contains("audit log intact: 3 entries"))
        #expect(result.output.contains("reaches the head recorded beside the ledger"))

        // Each line of --json is one JSON object carrying the entry's place in the chain and its record.
        let tail = try workspace.run(["audit", "tail", "2", "--json"], input: "")
        let objects = try tail.output.split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
        #expect(objects.map { $0["seq"] as? Int } == [2, 3])
        #expect(objects[1]["prev_hash"] as? String == objects[0]["hash"] as? String)
        #expect((objects[1]["record"] as? [String: Any])?["message"] as? String == "thanks")
    }

    @Test func aBrokenConfigIsReportedWithFileAndKeyAndExitCodeTwo() throws {
        let workspace = try TestWorkspace()
        let config = workspace.directory.appendingPathComponent("shoptalk.json")
        try Data(#"{"name": "X", "rate_limits": {"per_minute": "lots"}}"#.utf8).write(to: config)
        let result = try workspace.run([], input: "hello\n")
        #expect(result.status == 2)
        #expect(result.error.contains("shoptalk.json"))
        #expect(result.error.contains("rate_limits.per_minute"))
    }
}
