import ShopTalkKit

/// A command of the shell: its name, how it is used, and what it does.
struct ShellCommand: Sendable {
    var name: String
    var usage: String
    var summary: String
    var details: String
    /// Subcommands offered by tab completion.
    var subcommands: [String] = []

    static let all: [ShellCommand] = [
        ShellCommand(
            name: "help", usage: "/help [COMMAND]", summary: "list commands, or explain one",
            details: "Plain lines are customer messages; lines starting with / are commands.\n"
                + "//text sends the literal message /text. A line of \"\"\" starts and ends a multi-line message."),
        ShellCommand(
            name: "quit", usage: "/quit", summary: "leave the shell (also Ctrl-D)",
            details: "Every turn is already in the audit log; nothing is lost by quitting."),
        ShellCommand(
            name: "new", usage: "/new", summary: "start a new session, keeping the customer",
            details: "Begins a fresh conversation: no history, a new session id."),
        ShellCommand(
            name: "as", usage: "/as CUSTOMER | /as -", summary: "act as a signed-in customer",
            details: "Orders are only ever shown to the customer who placed them. '/as -' signs out."),
        ShellCommand(
            name: "trace", usage: "/trace", summary: "show every stage of the last turn",
            details: "Intent, entities, route, retrieved records, prompt, cache, model, tokens, cost, guards, timings."),
        ShellCommand(
            name: "context", usage: "/context", summary: "show the records retrieved for the last turn",
            details: "Orders, articles and products with their versions and scores."),
        ShellCommand(
            name: "render", usage: "/render", summary: "show the exact prompt last sent to a model",
            details: "Personal data appears masked, as it was sent."),
        ShellCommand(
            name: "prompt", usage: "/prompt list | show [NAME@VER] | use NAME@VER|LABEL",
            summary: "inspect or pin prompt versions",
            details: "'use' pins the version for this session; 'show' prints a version's file.",
            subcommands: ["list", "show", "use"]),
        ShellCommand(
            name: "model", usage: "/model list | use NAME | use -", summary: "list models or pin one",
            details: "'use NAME' serves every generated turn with NAME; 'use -' returns to routing.",
            subcommands: ["list", "use"]),
        ShellCommand(
            name: "handoff", usage: "/handoff [REASON]", summary: "hand the conversation to a person",
            details: "Files a handoff packet with the transcript, intent, entities and retrieved records."),
        ShellCommand(
            name: "rate", usage: "/rate 1-5 [COMMENT]", summary: "rate the last reply",
            details: "Ratings are stored in the ledger and audited."),
        ShellCommand(
            name: "run", usage: "/run FILE.chat", summary: "run a script, printing its transcript",
            details: "The script runs in its own isolated session; each expectation is marked as it passes or fails."),
        ShellCommand(
            name: "replay", usage: "/replay SESSION [NAME@VERSION]",
            summary: "rerun a logged session and show what changed",
            details:
                "Reruns the session's messages through today's pipeline, optionally against another prompt version, "
                + "and compares intent, entities, records, prompt, model, handoff, guards and reply."),
        ShellCommand(
            name: "save", usage: "/save FILE.chat [--force]", summary: "save this session as a regression script",
            details:
                "Writes meta lines, user: lines, bot: lines with the replies seen, and expect lines for intents and handoffs."
        ),
        ShellCommand(
            name: "sessions", usage: "/sessions", summary: "list recent sessions from the audit log",
            details: "Newest first, with their customer and number of turns."),
        ShellCommand(
            name: "stats", usage: "/stats", summary: "turns, latency, routes, guards and cost so far",
            details: "Counts every session of this shell."),
        ShellCommand(
            name: "now", usage: "/now [TIME | -]", summary: "show or pin the session clock",
            details: "TIME is ISO 8601, such as 2026-12-03T10:00:00Z; '-' follows the system clock again."),
        ShellCommand(
            name: "audit", usage: "/audit tail [N] | verify", summary: "read or verify the audit log",
            details: "'verify' walks the hash chain and reports any edit, gap or reorder.",
            subcommands: ["tail", "verify"]),
        ShellCommand(
            name: "cache", usage: "/cache stats | clear", summary: "response cache statistics",
            details: "The cache is keyed on the rendered prompt, model, parameters and record versions.",
            subcommands: ["stats", "clear"]),
    ]

    static func named(_ name: String) -> ShellCommand? {
        all.first { $0.name == name || ($0.name == "quit" && name == "exit") }
    }

    /// The command name closest to `name`, for "did you mean" hints; nil when none is within half its length, so
    /// that a short name two edits from every command ("/foo" against "/now") gets no guess.
    static func nearest(to name: String) -> String? {
        let scored = all.map { ($0.name, EditDistance.between($0.name, name)) }.min { $0.1 < $1.1 }
        guard let (best, distance) = scored, distance <= max(1, name.count / 2) else { return nil }
        return best
    }
}
