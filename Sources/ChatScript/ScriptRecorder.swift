import Foundation
import ShopTalkKit

/// Writes a conversation as a `.chat` script whose `bot:` lines are the replies seen, so a session becomes a
/// regression test in one step.
public enum ScriptRecorder {
    /// The settings a session had when it was saved.
    public struct Pins: Sendable {
        public var prompt: String
        public var model: String?
        public var seed: Int?
        public var now: Date?

        public init(prompt: String, model: String?, seed: Int?, now: Date?) {
            self.prompt = prompt
            self.model = model
            self.seed = seed
            self.now = now
        }
    }

    /// The script text for `turns`.
    public static func script(name: String, turns: [Turn], pins: Pins) -> String {
        var lines = ["@name \(name)", "@tags recorded"]
        let customer = turns.first?.customerID
        if let customer { lines.append("@customer \(customer)") }
        lines.append("@prompt \(pins.prompt)")
        if let model = pins.model { lines.append("@model \(model)") }
        if let seed = pins.seed { lines.append("@seed \(seed)") }
        if let now = pins.now ?? turns.first.flatMap({ try? Date($0.at, strategy: .iso8601) }) {
            lines.append("@now \(Session.timestamp(now))")
        }
        var signedIn = customer
        for turn in turns {
            lines.append("")
            if turn.customerID != signedIn {
                lines.append("/as \(turn.customerID ?? "-")")
                signedIn = turn.customerID
            }
            if turn.message.isEmpty && turn.route.kind == "handoff" {
                lines.append("/handoff \(turn.route.reason)")
                continue
            }
            guard !turn.message.isEmpty else { continue }
            // Card numbers never go into a file that is meant to be shared and committed.
            let cards = PIIDetector().spans(in: turn.message).filter { $0.kind == "card" }
            lines.append("user: " + PIIDetector.replacing(cards.map { ($0.kind, $0.text) }, in: turn.message))
            lines += replyLines(turn)
            if let intent = turn.intent?.intent { lines.append("expect intent \(intent)") }
            lines.append(turn.handoff.map { "expect handoff \($0.reason)" } ?? "expect no handoff")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// `bot:` for a one-line reply; `bot~` a line for longer ones; handoff references, which differ in every
    /// session, as a pattern.
    private static func replyLines(_ turn: Turn) -> [String] {
        let reply = turn.reply.trimmingCharacters(in: .whitespacesAndNewlines)
        if let handoff = turn.handoff, reply.contains(handoff.id) {
            let pattern = reply.components(separatedBy: handoff.id).map(NSRegularExpression.escapedPattern)
                .joined(separator: "HO-[0-9A-F]{8}")
            return ["bot/ ^\(pattern)$/"]
        }
        let lines = reply.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        if lines.count == 1 { return ["bot: \(lines[0])"] }
        return lines.map { "bot~ \($0)" }
    }
}
