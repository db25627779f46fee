import Foundation
import ShopTalkKit

/// The interactive shell: plain lines are customer messages, `/` lines are commands.
///
/// On a terminal it edits lines with libedit; otherwise it reads standard input line by line and prints
/// replies plainly, so it can be driven through a pipe.
package final class Shell {
    let engine: Engine
    var session: Session
    let style: Style
    let verbose: Bool
    var lastTurn: Turn?
    var finished = false
    /// On a terminal, the line editor.
    private var editor: LineEditor?
    /// What lets Ctrl-C cancel a turn that is taking too long, and whether it stopped a piped run.
    private var interrupter: TurnInterrupter?
    private var stoppedByInterrupt = false

    /// - Parameters:
    ///   - customerID: sign the first session in as this customer.
    ///   - verbose: print a one-line trace after every reply.
    package init(engine: Engine, customerID: String?, style: Style, verbose: Bool = false) throws {
        self.engine = engine
        self.style = style
        self.verbose = verbose
        session = try engine.makeSession(customerID: customerID)
    }

    /// Reads and runs lines until end of input or `/quit`; returns the process exit code.
    package func run() async -> Int32 {
        // Releasing the editor puts the terminal's modes back before the process exits.
        defer { editor = nil }
        if LineEditor.isInteractive() {
            let words = CompletionWords(engine: engine)
            editor = try? LineEditor(
                programName: "shoptalk", historyFile: engine.stateDirectory.appendingPathComponent("history"),
                completer: { words.complete($0) })
            let banner = TerminalLayout.forStandardOutput(
                "ShopTalk — \(engine.config.name). Type a message, or /help for commands.", indent: 0)
            print(style.bold("ShopTalk") + banner.dropFirst("ShopTalk".count))
        }
        interrupter = TurnInterrupter()
        var pending: [String]?
        while !finished {
            let prompt = pending == nil ? await promptText() : "... "
            let input = editor?.read(prompt: prompt) ?? Swift.readLine(strippingNewline: true).map { .line($0) } ?? .end
            guard case .line(let line) = input else {
                if input == .end { break }
                // Ctrl-C inside a block drops the whole block, not only the line being typed.
                if let block = pending {
                    pending = nil
                    if !block.isEmpty { print(style.dim("(the \"\"\" block was dropped)")) }
                }
                continue
            }
            if var block = pending {
                if line.trimmingCharacters(in: .whitespaces) == "\"\"\"" {
                    pending = nil
                    // History holds one line an entry; the block is recalled with its lines joined.
                    await remember(block.joined(separator: " "))
                    await send(block.joined(separator: "\n"))
                } else {
                    block.append(line)
                    pending = block
                }
                continue
            }
            if line.trimmingCharacters(in: .whitespaces) == "\"\"\"" {
                pending = []
                continue
            }
            // Enter on an empty line only asks for a fresh prompt, as in other shells: no turn, no audit
            // record, nothing counted against the rate limit. A script's `user:` line can still send one.
            if line.allSatisfy(\.isWhitespace) { continue }
            await remember(line)
            await handle(line)
        }
        if let block = pending, !block.isEmpty {
            fail(
                "input ended inside a \"\"\" block: its \(block.count) line\(block.count == 1 ? " was" : "s were") not sent"
                    + " (a line of \"\"\" ends a block)")
            // Piped input that ends mid-block is malformed; a person leaving with Ctrl-D has been told.
            return editor == nil ? 2 : 0
        }
        return stoppedByInterrupt ? 130 : 0
    }

    /// Adds a line to the editor's history; a message is kept with its personal data redacted, since the
    /// history file outlives the session and is not part of the governed ledger.
    private func remember(_ line: String) async {
        guard let editor else { return }
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        let isCommand = trimmed.hasPrefix("/") && !trimmed.hasPrefix("//")
        editor.addHistory(isCommand ? line : await session.redacted(line))
    }

    /// Runs one line: a command, or a message to the bot.
    package func handle(_ line: String) async {
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        if trimmed.hasPrefix("//") {
            await send(String(trimmed.dropFirst()))
        } else if trimmed.hasPrefix("/") {
            await command(String(trimmed.dropFirst()))
        } else {
            await send(line)
        }
    }

    private func promptText() async -> String {
        let customer = await session.customer?.id
        let label = customer ?? "you"
        // libedit skips what lies between \u{1} markers when it measures the prompt.
        return style.enabled ? "\u{1}\u{1b}[1m\u{1}\(label)>\u{1}\u{1b}[0m\u{1} " : "\(label)> "
    }

    func send(_ message: String) async {
        do {
            let session = self.session
            let interrupter = self.interrupter
            @Sendable func perform() async throws -> (Turn, Bool) {
                guard let interrupter else { return (try await session.send(message), false) }
                return try await interrupter.run { try await session.send(message) }
            }
            let (turn, interrupted) =
                if let editor { try await editor.withoutEcho(perform) } else { try await perform() }
            lastTurn = turn
            // Ctrl-C on a run fed by a pipe stops the run, once the turn it cut short is audited.
            if interrupted, editor == nil { (finished, stoppedByInterrupt) = (true, true) }
            print(style.bot("bot> ") + TerminalLayout.forStandardOutput(turn.reply, indent: 5))
            if turn.flags.contains("cancelled") {
                let note = "(cancelled with Ctrl-C: the model call was abandoned; the turn is audited with this reply)"
                print(style.dim(TerminalLayout.forStandardOutput(note, indent: 0)))
            }
            if verbose { print(style.dim(TraceFormatter.oneLine(turn))) }
        } catch {
            fail("\(error)")
        }
    }

    /// Prints an error to standard error.
    func fail(_ message: String) {
        FileHandle.standardError.write(Data((style.error("error: ") + message + "\n").utf8))
    }
}

/// What tab completion offers, gathered once so the completer needs no access to the engine.
struct CompletionWords: Sendable {
    var prompts: [String]
    var promptNames: [String]
    var models: [String]
    var customers: [String]
    var sessions: [String]

    init(engine: Engine) {
        prompts = engine.prompts.references + engine.prompts.names.map { $0 + "@production" }
        promptNames = engine.prompts.names
        models = engine.modelNames
        customers = (try? engine.index.customerIDs()) ?? []
        sessions = ((try? engine.audit.sessions(limit: 50)) ?? []).map(\.id)
    }

    /// Full candidate words for the last word of `line`.
    func complete(_ line: String) -> [String] {
        let words = line.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
        let current = words.last ?? ""
        guard let first = words.first, first.hasPrefix("/") else { return [] }
        if words.count == 1 {
            return ShellCommand.all.map { "/" + $0.name }.filter { $0.hasPrefix(current) }
        }
        let command = String(first.dropFirst())
        let candidates: [String]
        switch (command, words.count) {
        case ("help", 2): candidates = ShellCommand.all.map(\.name)
        case ("as", 2): candidates = customers
        case ("replay", 2): candidates = sessions
        case ("prompt", 3) where ["use", "show"].contains(words[1]): candidates = prompts
        case ("model", 3) where words[1] == "use": candidates = models
        case (_, 2): candidates = ShellCommand.named(command)?.subcommands ?? []
        default: candidates = []
        }
        return candidates.filter { $0.lowercased().hasPrefix(current.lowercased()) }
    }
}
