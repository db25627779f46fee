import Foundation
import ShopTalkKit

/// Turns a `Turn` into the text `/trace`, `/context`, `/render` and `--verbose` print.
enum TraceFormatter {
    /// Every stage of `turn`, a labelled line each; given a window `width`, long values break between words
    /// and continue under the value column.
    static func trace(_ turn: Turn, style: Style, width: Int? = nil) -> String {
        var lines: [String] = []
        func add(_ label: String, _ value: String) {
            lines.append(
                style.dim(label.padding(toLength: 10, withPad: " ", startingAt: 0))
                    + TerminalLayout.text(value, width: width, indent: 10))
        }
        add("session", "\(turn.sessionID) turn \(turn.index) at \(turn.at)\(turn.customerID.map { " as \($0)" } ?? "")")
        add("message", turn.message.isEmpty ? "(none)" : turn.message)
        if let intent = turn.intent {
            let others = intent.alternatives.dropFirst().map { "\($0.intent) \(format($0.confidence))" }
            add(
                "intent",
                "\(intent.intent) \(format(intent.confidence))"
                    + (others.isEmpty ? "" : "  (then " + others.joined(separator: ", ") + ")"))
        }
        add(
            "entities",
            turn.entities.isEmpty ? "none" : turn.entities.map { "\($0.kind)=\($0.value)" }.joined(separator: ", "))
        add("route", "\(turn.route.kind) (\(turn.route.reason))\(turn.route.model.map { " → \($0)" } ?? "")")
        add(
            "retrieved",
            turn.retrieved.isEmpty ? "none" : turn.retrieved.map { "\($0.kind):\($0.id)" }.joined(separator: ", "))
        if let prompt = turn.prompt {
            add("prompt", "\(prompt)  rendered \(turn.renderedPromptHash.map { String($0.prefix(12)) } ?? "-")")
        }
        add("cache", turn.cache)
        if let model = turn.model {
            let usage =
                turn.usage.map {
                    String(format: "%d in / %d out tokens, cost %.6f", $0.inputTokens, $0.outputTokens, $0.cost)
                } ?? ""
            add("model", "\(model)  \(usage)")
        }
        for attempt in turn.attempts where attempt.outcome != "ok" {
            add("attempt", "\(attempt.model) failed: \(attempt.error ?? "unknown")")
        }
        add(
            "guards",
            turn.guards.isEmpty
                ? "none" : turn.guards.map { "\($0.name):\($0.action) (\($0.detail))" }.joined(separator: "; "))
        if let handoff = turn.handoff { add("handoff", "\(handoff.id) (\(handoff.reason))") }
        if !turn.flags.isEmpty { add("flags", turn.flags.joined(separator: ", ")) }
        let stages = turn.timings.map { "\($0.stage) \(micros($0.micros))" }.joined(separator: ", ")
        add("latency", "\(micros(turn.latencyMicros)) total: \(stages)")
        return lines.joined(separator: "\n")
    }

    static func oneLine(_ turn: Turn) -> String {
        let intent = turn.intent.map { "\($0.intent) \(format($0.confidence))" } ?? "-"
        let ids = turn.retrieved.map(\.id).joined(separator: ",")
        return "[\(intent) | \(turn.route.kind) | \(ids.isEmpty ? "no records" : ids) | \(micros(turn.latencyMicros))]"
    }

    static func context(_ turn: Turn) -> String {
        guard !turn.retrieved.isEmpty else { return "nothing was retrieved for this turn" }
        return turn.retrieved.map { item in
            "\(item.kind.padding(toLength: 8, withPad: " ", startingAt: 0)) \(item.id)  version \(item.version.prefix(12))"
                + (item.score.map { String(format: "  score %.3f", $0) } ?? "")
        }.joined(separator: "\n")
    }

    static func rendered(_ turn: Turn) -> String {
        guard !turn.rendered.isEmpty else {
            return "no prompt was sent for this turn (route: \(turn.route.kind), \(turn.route.reason))"
        }
        return turn.rendered.map { "[\($0.role)]\n\($0.content)" }.joined(separator: "\n")
    }

    private static func format(_ confidence: Double) -> String {
        String(format: "%.2f", confidence)
    }

    private static func micros(_ value: Int) -> String {
        value >= 1000 ? String(format: "%.1f ms", Double(value) / 1000) : "\(value) µs"
    }
}
