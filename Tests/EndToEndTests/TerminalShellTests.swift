import Foundation
import Testing

@Suite("The shell on a pseudo-terminal")
struct TerminalShellTests {
    private func start(_ workspace: TestWorkspace, environment: [String: String] = [:]) throws -> PseudoTerminal {
        try PseudoTerminal(
            executable: TestWorkspace.binary, arguments: ["--workspace", workspace.directory.path],
            environment: ["HOME": workspace.directory.path].merging(environment) { $1 },
            workingDirectory: workspace.directory.path, columns: 120, rows: 30)
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
}
