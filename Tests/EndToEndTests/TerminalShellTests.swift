import Foundation
import Testing

@Suite("The shell on a pseudo-terminal")
struct TerminalShellTests {
    private func start(
        _ workspace: TestWorkspace, environment: [String: String] = [:], columns: UInt16 = 120
    ) throws -> PseudoTerminal {
        try PseudoTerminal(
            executable: TestWorkspace.binary, arguments: ["--workspace", workspace.directory.path],
            environment: ["HOME": workspace.directory.path].merging(environment) { $1 },
            workingDirectory: workspace.directory.path, columns: columns, rows: 30)
    }

    /// The shell at its prompt with the session pinned to the sample's `local` model, served by `server`.
    private func startUsingLocalModel(_ workspace: TestWorkspace, at server: SilentListener) throws -> PseudoTerminal {
        try workspace.pointLocalModel(atPort: server.port)
        let terminal = try start(workspace)
        _ = try terminal.expect("you> ")
        try terminal.send("/model use local\r")
        _ = try terminal.expect("you> ")
        return terminal
    }

    @Test func tabCompletesCommandsAndTheirArguments() throws {
        let workspace = try TestWorkspace()
        let terminal = try start(workspace)
        _ = try terminal.expect("you> ")

        try terminal.send("/pro\t")
        _ = try terminal.expect("/prompt ")
        try terminal.send("us\t")
        _ = try terminal.expect("use ")
        try terminal.send("support@v\t\t")
        _ = try terminal.expect("support@v2")
        try terminal.send("2\r")
        _ = try terminal.expect("this session now uses support@v2")

        try terminal.send("/as C1016\t\t")
        _ = try terminal.expect("C10169")
        try terminal.send("\u{15}\u{04}")
        #expect(try terminal.waitForExit() == 0)
    }

    @Test func historyPersistsAcrossRunsAndCtrlRSearchesIt() throws {
        let workspace = try TestWorkspace()
        do {
            let terminal = try start(workspace)
            _ = try terminal.expect("you> ")
            try terminal.send("what is your returns policy?\r")
            _ = try terminal.expect("bot> ")
            _ = try terminal.expect("you> ")
            try terminal.send("thanks\r")
            _ = try terminal.expect("you> ")
            try terminal.send("\u{04}")
            #expect(try terminal.waitForExit() == 0)
        }
        let terminal = try start(workspace)
        _ = try terminal.expect("you> ")
        try terminal.send("\u{1b}[A")
        _ = try terminal.expect("thanks")
        try terminal.send("\u{15}\u{12}returns")
        _ = try terminal.expect("what is your returns policy?")
        try terminal.send("\r")
        let reply = try terminal.expect("you> ")
        #expect(reply.contains("bot> "))
        try terminal.send("/quit\r")
        #expect(try terminal.waitForExit() == 0)
    }

    @Test func colourOnlyOnATerminalAndNeverWithNoColor() throws {
        let workspace = try TestWorkspace()
        let coloured = try start(workspace)
        _ = try coloured.expect("you> ")
        try coloured.send("/quit\r")
        _ = try coloured.waitForExit()
        #expect(coloured.rawTranscript.contains("\u{1b}[1m"))

        let plain = try start(workspace, environment: ["NO_COLOR": "1"])
        _ = try plain.expect("you> ")
        try plain.send("hello\r")
        _ = try plain.expect("bot> ")
        try plain.send("/quit\r")
        _ = try plain.waitForExit()
        #expect(!plain.rawTranscript.contains("\u{1b}[36m"))
        #expect(!plain.rawTranscript.contains("\u{1b}[1m"))
    }

    @Test func ctrlCDropsTheLineAndKeepsTheShell() throws {
        let workspace = try TestWorkspace()
        let terminal = try start(workspace)
        _ = try terminal.expect("you> ")
        try terminal.send("where is my\u{03}")
        _ = try terminal.expect("^C")
        _ = try terminal.expect("you> ")
        try terminal.send("/trace\r")
        _ = try terminal.expect("no turn yet")
        _ = try terminal.expect("you> ")
        try terminal.send("/quit\r")
        #expect(try terminal.waitForExit() == 0)
    }

    @Test func theHistoryFileKeepsMessagesWithTheirPersonalDataRedacted() throws {
        let workspace = try TestWorkspace()
        let terminal = try start(workspace)
        _ = try terminal.expect("you> ")
        try terminal.send("/as C10161\r")
        _ = try terminal.expect("C10161> ")
        try terminal.send("my email is jane.doe@example.com, this is Margaret\r")
        _ = try terminal.expect("C10161> ")
        try terminal.send("/quit\r")
        #expect(try terminal.waitForExit() == 0)
        let history = try String(
            contentsOf: workspace.directory.appendingPathComponent(".shoptalk/history"), encoding: .utf8)
        #expect(history.contains("[EMAIL]"))
        #expect(!history.contains("jane.doe"))
        #expect(!history.contains("Margaret"))
        #expect(history.contains("C10161"))
    }

    @Test func keysTypedWhileATurnRunsWaitForTheNextPromptInsteadOfMixingIntoTheReply() throws {
        let workspace = try TestWorkspace()
        let server = try SilentListener()
        server.answerOnce(after: 1.5, reply: "Returns are accepted within 30 days.")
        let terminal = try startUsingLocalModel(workspace, at: server)
        try terminal.send("what is your returns policy?\r")
        #expect(server.waitForRequest())
        try terminal.send("do you ship to ireland")
        let beforeReply = try terminal.expect("bot> ")
        #expect(!beforeReply.contains("ireland"))
        _ = try terminal.expect("Returns are accepted within 30 days.")
        // The typed-ahead words come back as the line being edited at the next prompt.
        _ = try terminal.expect("you> do you ship to ireland")
        try terminal.send("\u{15}/quit\r")
        #expect(try terminal.waitForExit() == 0)
    }

    @Test func multibyteKeysAreEditedAsWholeCharacters() throws {
        let workspace = try TestWorkspace()
        let terminal = try start(workspace, environment: ["LANG": "C.UTF-8"])
        _ = try terminal.expect("you> ")
        // Backspace must remove the whole "é" each time, not one of its two bytes.
        try terminal.send("crème brûlée\u{7f}\u{7f}ee, merci 日本\r")
        _ = try terminal.expect("you> ")
        try terminal.send("/trace\r")
        _ = try terminal.expect("message   crème brûlee, merci 日本")
        try terminal.send("/quit\r")
        #expect(try terminal.waitForExit() == 0)
    }

    @Test func ctrlCInsideABlockDropsTheWholeBlock() throws {
        let workspace = try TestWorkspace()
        let terminal = try start(workspace)
        _ = try terminal.expect("you> ")
        try terminal.send("\"\"\"\r")
        _ = try terminal.expect("... ")
        try terminal.send("where is HL-876352\r")
        _ = try terminal.expect("... ")
        try terminal.send("and the\u{03}")
        _ = try terminal.expect("the \"\"\" block was dropped")
        _ = try terminal.expect("you> ")
        try terminal.send("/trace\r")
        _ = try terminal.expect("no turn yet")
        try terminal.send("/quit\r")
        #expect(try terminal.waitForExit() == 0)
    }

    @Test func repliesBreakBetweenWordsAtTheWindowsWidthAndFollowAResize() throws {
        let workspace = try TestWorkspace()
        let terminal = try start(workspace, columns: 50)
        _ = try terminal.expect("you> ")

        // The reply's lines, from "bot> " to the next prompt.
        func reply(to message: String) throws -> [Substring] {
            try terminal.send(message + "\r")
            _ = try terminal.expect("bot> ")
            let text = "bot> " + (try terminal.expect("you> ")).dropLast("you> ".count)
            return text.split(separator: "\n")
        }
        let narrow = try reply(to: "can I return an opened duvet cover?")
        #expect(narrow.count > 5)
        #expect(narrow.allSatisfy { $0.count <= 50 })
        #expect(narrow.dropFirst().allSatisfy { $0.hasPrefix("     ") })
        let words = narrow.joined(separator: " ").split(separator: " ")
        #expect(words.joined(separator: " ").contains("opened items can still be returned within 30 days of delivery"))
        try terminal.send("/trace\r")
        let trace = try terminal.expect("you> ").dropLast("you> ".count).split(separator: "\n")
        #expect(trace.allSatisfy { $0.count <= 50 })
        let latency = trace.drop { !$0.hasPrefix("latency") }
        #expect(latency.count > 1)
        #expect(latency.dropFirst().allSatisfy { $0.hasPrefix(String(repeating: " ", count: 10)) })

        try terminal.resize(columns: 90, rows: 30)
        let wide = try reply(to: "can I return an opened duvet cover?")
        #expect(wide.count < narrow.count)
        #expect(wide.contains { $0.count > 50 })
        #expect(wide.allSatisfy { $0.count <= 90 })
        #expect(wide.joined(separator: " ").split(separator: " ") == words)

        try terminal.send("/quit\r")
        #expect(try terminal.waitForExit() == 0)
    }

    @Test func resizingTheWindowWhileLinesAreAnsweredKeepsTheShellRunning() throws {
        let workspace = try TestWorkspace()
        let terminal = try start(workspace)
        _ = try terminal.expect("you> ")
        // A user dragging the window's edge while typing; each resize races the end of a line being read.
        for round in 0..<200 {
            try terminal.resize(columns: round.isMultiple(of: 2) ? 60 : 100, rows: 30)
            try terminal.send("hi\r")
        }
        for _ in 0..<200 {
            _ = try terminal.expect("bot> ")
        }
        try terminal.send("/quit\r")
        #expect(try terminal.waitForExit() == 0)
    }

    @Test func aSignalMidLineLeavesTheTerminalCooked() throws {
        let workspace = try TestWorkspace()
        let terminal = try start(workspace)
        _ = try terminal.expect("you> ")
        try terminal.send("where is my")
        _ = try terminal.expect("where is my")
        #expect(!terminal.isCooked)
        terminal.signal(SIGTERM)
        #expect(try terminal.waitForExit() == 128 + SIGTERM)
        #expect(terminal.isCooked)
    }

    @Test func ctrlCDuringASlowModelCallCancelsTheTurnAndKeepsTheShell() throws {
        let workspace = try TestWorkspace()
        let server = try SilentListener()
        let terminal = try startUsingLocalModel(workspace, at: server)
        try terminal.send("what is your returns policy?\r")
        #expect(server.waitForConnection())
        // Pressed twice, as an impatient user would; the second must not end the shell mid-turn.
        try terminal.send("\u{03}\u{03}")
        _ = try terminal.expect("bot> ")
        _ = try terminal.expect("cancelled with Ctrl-C")
        _ = try terminal.expect("you> ")
        try terminal.send("/quit\r")
        #expect(try terminal.waitForExit() == 0)

        let audit = try workspace.run(["audit", "tail", "1", "--json"], input: "")
        #expect(audit.output.contains("\"cancelled\""))
        #expect(audit.output.contains("\"outcome\":\"cancelled\""))
        #expect(!audit.output.contains("model_unavailable"))
        #expect(try workspace.run(["audit", "verify"], input: "").status == 0)
    }
}
