import ChatScript
import Foundation
import ShopTalkKit

extension Shell {
    /// Runs `/name arguments`.
    func command(_ text: String) async {
        let words = text.split(separator: " ").map(String.init)
        guard let name = words.first?.lowercased() else {
            fail("a command name must follow '/': try /help")
            return
        }
        let arguments = Array(words.dropFirst())
        do {
            switch name {
            case "help": help(arguments.first)
            case "quit", "exit": finished = true
            case "new": try await newSession()
            case "as": try await signIn(arguments)
            case "trace":
                withLastTurn { print(TraceFormatter.trace($0, style: style, width: TerminalLayout.terminalWidth())) }
            case "context": withLastTurn { print(TraceFormatter.context($0)) }
            case "render": withLastTurn { print(TraceFormatter.rendered($0)) }
            case "prompt": try await prompt(arguments)
            case "model": try await model(arguments)
            case "handoff":
                let turn = try await session.requestHandoff(
                    reason: arguments.isEmpty ? "shell_command" : arguments.joined(separator: "_"))
                lastTurn = turn
                print(style.bot("bot> ") + TerminalLayout.forStandardOutput(turn.reply, indent: 5))
            case "rate": try await rate(arguments)
            case "sessions": try sessions()
            case "run": try await runScript(arguments)
            case "replay": try await replay(arguments)
            case "save": try await save(arguments)
            case "stats": stats()
            case "now": try await now(arguments)
            case "audit": try audit(arguments)
            case "cache": cache(arguments)
            default:
                let hint = ShellCommand.nearest(to: name).map { " — did you mean /\($0)?" } ?? ""
                fail("unknown command /\(name)\(hint) (/help lists them all)")
            }
        } catch {
            fail("\(error)")
        }
    }

    private func withLastTurn(_ body: (Turn) -> Void) {
        guard let lastTurn else {
            fail("no turn yet: send a message first")
            return
        }
        body(lastTurn)
    }

    private func help(_ topic: String?) {
        let window = TerminalLayout.terminalWidth()
        if let topic {
            let name = topic.hasPrefix("/") ? String(topic.dropFirst()) : topic
            guard let command = ShellCommand.named(name) else {
                let hint = ShellCommand.nearest(to: name).map { " — did you mean /\($0)?" } ?? ""
                fail("no command /\(name)\(hint)")
                return
            }
            print(command.usage)
            for paragraph in ["\(command.summary).", command.details] {
                print("  " + TerminalLayout.text(paragraph, width: window, indent: 2))
            }
            return
        }
        print(TerminalLayout.text(ShellCommand.all[0].details, width: window, indent: 0))
        // One column of usages and one of summaries; in a window too narrow for that, long usages stand on
        // their own line with the summary below, under the summary column.
        let widest = ShellCommand.all.map(\.usage.count).max() ?? 0
        let fits = ShellCommand.all.allSatisfy { 4 + widest + $0.summary.count <= window ?? .max }
        let column = fits ? widest : min(widest, 24)
        let margin = String(repeating: " ", count: column + 4)
        for command in ShellCommand.all {
            let summary = TerminalLayout.text(command.summary, width: window, indent: column + 4)
            if command.usage.count <= column {
                print("  " + command.usage.padding(toLength: column + 2, withPad: " ", startingAt: 0) + summary)
            } else {
                // A usage wider than the window breaks between words too, continuing under its own start.
                print("  " + TerminalLayout.text(command.usage, width: window, indent: 4) + "\n" + margin + summary)
            }
        }
    }

    private func newSession() async throws {
        let customer = await session.customer?.id
        let prompt = await session.prompt.reference
        let model = await session.modelOverride
        let clock = await session.pinnedNow
        session = try engine.makeSession(customerID: customer)
        try await session.usePrompt(prompt)
        try await session.useModel(model)
        await session.pinClock(clock)
        lastTurn = nil
        print("new session \(session.id)")
    }

    private func signIn(_ arguments: [String]) async throws {
        guard let id = arguments.first else {
            let current = await session.customer
            print(current.map { "signed in as \($0.id) (\($0.name))" } ?? "not signed in: /as CUSTOMER signs in")
            return
        }
        try await session.signIn(id == "-" ? nil : id)
        let customer = await session.customer
        print(customer.map { "now acting as \($0.id) (\($0.name))" } ?? "signed out")
    }

    private func prompt(_ arguments: [String]) async throws {
        switch arguments.first ?? "list" {
        case "list":
            let current = await session.prompt.reference
            for name in engine.prompts.names {
                let labels = try engine.registry.labels(of: name)
                for version in engine.prompts.prompts[name] ?? [] {
                    let tags = labels.filter { $0.value == version.version }.keys.sorted()
                    let marker = version.reference == current ? "*" : " "
                    let modified =
                        engine.registry.modified.contains(version.reference)
                        ? style.warn(" (modified since published)") : ""
                    let tagText = tags.isEmpty ? "" : " [" + tags.joined(separator: ", ") + "]"
                    print("\(marker) \(version.reference)\(tagText)  \(version.description)\(modified)")
                }
            }
        case "show":
            let version = try arguments.count > 1 ? engine.registry.resolve(arguments[1]) : await session.prompt
            print(style.dim("# \(version.file)  sha256 \(version.hash.prefix(12))"))
            print(version.source)
        case "use":
            guard arguments.count > 1 else {
                fail("usage: /prompt use NAME@VERSION or NAME@LABEL")
                return
            }
            try await session.usePrompt(arguments[1])
            print("this session now uses \(await session.prompt.reference)")
        default:
            fail("unknown /prompt subcommand '\(arguments[0])': expected list, show or use")
        }
    }

    /// A URL with any user name and password in it replaced by `***`, for showing on screen.
    static func withoutCredentials(_ url: String) -> String {
        guard var parts = URLComponents(string: url), parts.user != nil || parts.password != nil else { return url }
        parts.user = "***"
        parts.password = nil
        return parts.string ?? url
    }

    private func model(_ arguments: [String]) async throws {
        switch arguments.first ?? "list" {
        case "list":
            let current = await session.modelOverride
            for name in engine.modelNames {
                let config = engine.config.models[name]
                let detail =
                    config.map { "\($0.kind) \($0.model ?? "") at \(Self.withoutCredentials($0.baseURL ?? ""))" }
                    ?? "offline, deterministic"
                let price =
                    config.map {
                        String(format: " (%.2f in / %.2f out per 1M tokens)", $0.price.input, $0.price.output)
                    } ?? ""
                print("\(name == current ? "*" : " ") \(name)  \(detail)\(price)")
            }
            if current == nil { print(style.dim("routing decides: default \(engine.config.routing.defaultModel)")) }
        case "use":
            guard arguments.count > 1 else {
                fail("usage: /model use NAME (or - to return to routing)")
                return
            }
            try await session.useModel(arguments[1] == "-" ? nil : arguments[1])
            print(arguments[1] == "-" ? "routing decides the model again" : "generated turns now use \(arguments[1])")
        default:
            fail("unknown /model subcommand '\(arguments[0])': expected list or use")
        }
    }

    private func rate(_ arguments: [String]) async throws {
        guard let first = arguments.first, let rating = Int(first), (1...5).contains(rating) else {
            throw SessionError.badRating(arguments.first ?? "")
        }
        let comment = arguments.count > 1 ? arguments.dropFirst().joined(separator: " ") : nil
        try await session.rate(rating, comment: comment)
        print("thanks: rated \(rating)/5")
    }

    private func sessions() throws {
        let sessions = try engine.audit.sessions(limit: 20)
        if sessions.isEmpty { print("no sessions recorded yet") }
        for entry in sessions {
            let marker = entry.id == session.id ? "*" : " "
            print(
                "\(marker) \(entry.id)  \(entry.started)  \(entry.customerID ?? "anonymous")  \(entry.turns) turn\(entry.turns == 1 ? "" : "s")"
            )
        }
    }

    private func stats() {
        let snapshot = engine.metrics.snapshot
        print("turns: \(snapshot.turns)  handoffs: \(snapshot.handoffs)  cache hits: \(snapshot.cacheHits)")
        if snapshot.turns > 0 {
            print(
                String(
                    format: "latency: p50 %.2f ms, p95 %.2f ms, p99 %.2f ms",
                    Double(snapshot.latency(quantile: 0.5)) / 1000, Double(snapshot.latency(quantile: 0.95)) / 1000,
                    Double(snapshot.latency(quantile: 0.99)) / 1000))
        }
        let routes = snapshot.routes.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
        if !routes.isEmpty { print("routes: " + routes.joined(separator: ", ")) }
        let intents = snapshot.intents.sorted { $0.value > $1.value || ($0.value == $1.value && $0.key < $1.key) }
        if !intents.isEmpty {
            print("intents: " + intents.prefix(8).map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        }
        let guards = snapshot.guards.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
        if !guards.isEmpty { print("guards: " + guards.joined(separator: ", ")) }
        let flags = snapshot.flags.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
        if !flags.isEmpty { print("flags: " + flags.joined(separator: ", ")) }
        for (model, cost) in snapshot.costByModel.sorted(by: { $0.key < $1.key }) {
            print(String(format: "model %@: %d tokens, cost %.6f", model, snapshot.tokensByModel[model] ?? 0, cost))
        }
        if let feedback = try? engine.feedback.summary(), feedback.count > 0 {
            print(String(format: "ratings: %d, mean %.2f", feedback.count, feedback.mean ?? 0))
        }
    }

    private func now(_ arguments: [String]) async throws {
        if let text = arguments.first {
            if text == "-" {
                await session.pinClock(nil)
            } else {
                guard let date = try? Date(text, strategy: .iso8601) else {
                    fail("'\(text)' is not a time: expected ISO 8601 such as 2026-12-03T10:00:00Z")
                    return
                }
                await session.pinClock(date)
            }
        }
        let pinned = await session.pinnedNow
        print(
            pinned.map { "clock pinned at \(Session.timestamp($0))" }
                ?? "clock follows the system: \(Session.timestamp(Date()))")
    }

    private func audit(_ arguments: [String]) throws {
        switch arguments.first ?? "tail" {
        case "tail":
            let count = arguments.count > 1 ? Int(arguments[1]) ?? 10 : 10
            for entry in try engine.audit.tail(count) {
                print(
                    "#\(entry.seq) \(entry.at) \(entry.kind) \(entry.sessionID ?? "-")/\(entry.turn.map(String.init) ?? "-") \(entry.hash.prefix(12))"
                )
            }
        case "verify":
            let result = try engine.audit.verify()
            print(result.isIntact ? style.good(result.summary) : style.error(result.summary))
        default:
            fail("unknown /audit subcommand '\(arguments[0])': expected tail or verify")
        }
    }

    private func cache(_ arguments: [String]) {
        switch arguments.first ?? "stats" {
        case "stats":
            let stats = engine.cache.statistics
            print("entries: \(stats.entries)  hits: \(stats.hits)  misses: \(stats.misses)")
        case "clear":
            engine.cache.clear()
            print("cache cleared")
        default:
            fail("unknown /cache subcommand '\(arguments[0])': expected stats or clear")
        }
    }

    private func runScript(_ arguments: [String]) async throws {
        guard arguments.count == 1 else {
            fail("usage: /run FILE.chat")
            return
        }
        let script: Script
        do {
            script = try ScriptParser.parse(contentsOf: URL(fileURLWithPath: arguments[0]), displayPath: arguments[0])
        } catch let errors as ScriptErrors {
            fail("\(errors)")
            return
        }
        let printer = TranscriptPrinter(style: style)
        let result = await ScriptRunner(engine: engine).run(script) { event in
            for line in printer.lines(for: event) { print(line) }
        }
        if let error = result.error { fail(error) }
        print(Reporters.summary(passed: result.passed ? 1 : 0, failed: result.passed ? 0 : 1))
    }

    private func save(_ arguments: [String]) async throws {
        let force = arguments.contains("--force")
        let arguments = arguments.filter { $0 != "--force" }
        guard arguments.count == 1, arguments[0].hasSuffix(".chat") else {
            fail("usage: /save FILE.chat [--force]")
            return
        }
        guard force || !FileManager.default.fileExists(atPath: arguments[0]) else {
            fail("\(arguments[0]) already exists: /save \(arguments[0]) --force replaces it")
            return
        }
        let turns = await session.turns
        guard !turns.isEmpty else {
            fail("nothing to save yet: send a message first")
            return
        }
        let pins = ScriptRecorder.Pins(
            prompt: await session.prompt.reference, model: await session.modelOverride, seed: await session.seed,
            now: await session.pinnedNow)
        let name = URL(fileURLWithPath: arguments[0]).deletingPathExtension().lastPathComponent
        let text = ScriptRecorder.script(name: name, turns: turns, pins: pins)
        do {
            try text.write(toFile: arguments[0], atomically: true, encoding: .utf8)
        } catch {
            fail("cannot write \(arguments[0]): check that its directory exists and is writable")
            return
        }
        print("saved \(turns.count) turn\(turns.count == 1 ? "" : "s") to \(arguments[0])")
    }

    private func replay(_ arguments: [String]) async throws {
        guard let id = arguments.first else {
            fail("usage: /replay SESSION [NAME@VERSION]")
            return
        }
        let replay = try await Replayer(engine: engine).replay(
            sessionID: id, against: arguments.dropFirst().first, live: false)
        ReplayFormatter.report(replay, style: style).forEach { print($0) }
        print(ReplayFormatter.summary([replay]))
    }
}
