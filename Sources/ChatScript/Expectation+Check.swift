import Foundation
import ShopTalkKit

extension Expectation {
    /// Whether `turn` meets the expectation, and what was seen when it does not.
    public func check(_ turn: Turn) -> (passed: Bool, seen: String) {
        let reply = turn.reply.trimmingCharacters(in: .whitespacesAndNewlines)
        switch self {
        case .replyEquals(let text):
            return (reply == text.trimmingCharacters(in: .whitespaces), reply)
        case .replyContains(let text):
            return (reply.range(of: text, options: .caseInsensitive) != nil, reply)
        case .replyLacks(let text):
            return (reply.range(of: text, options: .caseInsensitive) == nil, reply)
        case .replyMatches(let pattern):
            let matched = reply.range(of: pattern, options: .regularExpression) != nil
            return (matched, reply)
        case .intent(let name, let minimum):
            let seen = turn.intent.map { String(format: "%@ %.2f", $0.intent, $0.confidence) } ?? "no intent"
            guard let intent = turn.intent, intent.intent == name else { return (false, seen) }
            return (minimum.map { intent.confidence >= $0 } ?? true, seen)
        case .entity(let kind, let value):
            let passed = turn.entities.contains {
                $0.kind == kind && $0.value.caseInsensitiveCompare(value) == .orderedSame
            }
            return (passed, Self.describe(turn.entities))
        case .context(let id):
            return (turn.retrieved.contains { $0.id == id }, Self.describe(turn.retrieved))
        case .noContext(let id):
            return (!turn.retrieved.contains { $0.id == id }, Self.describe(turn.retrieved))
        case .handoff(let reason):
            let seen = turn.handoff.map { "handoff (\($0.reason))" } ?? "no handoff"
            guard let handoff = turn.handoff else { return (false, seen) }
            return (reason.map { $0 == handoff.reason } ?? true, seen)
        case .noHandoff:
            return (turn.handoff == nil, turn.handoff.map { "handoff (\($0.reason))" } ?? "no handoff")
        case .cacheHit:
            return (turn.cache == "hit", "cache \(turn.cache)")
        case .cacheMiss:
            return (turn.cache == "miss", "cache \(turn.cache)")
        case .guardFired(let name):
            return (turn.guarded(name), Self.describe(turn.guards))
        case .noGuard:
            // Normalisation is housekeeping, not a guard deciding anything about the message.
            let fired = turn.guards.filter { $0.name != "normalise" }
            return (fired.isEmpty, Self.describe(turn.guards))
        case .model(let name):
            return (turn.model == name, turn.model.map { "model \($0)" } ?? "no model call")
        case .prompt(let reference):
            return (turn.prompt == reference, turn.prompt.map { "prompt \($0)" } ?? "no prompt rendered")
        case .latencyBelow(let milliseconds):
            let seen = Double(turn.latencyMicros) / 1000
            return (seen < milliseconds, String(format: "%.2fms", seen))
        case .costBelow(let limit):
            let cost = turn.usage?.cost ?? 0
            return (cost < limit, String(format: "cost %.6f", cost))
        }
    }

    /// Whether the expectation is about the reply text, so a failure is shown as a text diff.
    public var isAboutText: Bool {
        switch self {
        case .replyEquals, .replyContains, .replyLacks, .replyMatches: true
        default: false
        }
    }

    private static func describe(_ entities: [Entity]) -> String {
        entities.isEmpty ? "no entities" : entities.map { "\($0.kind) = \($0.value)" }.joined(separator: ", ")
    }

    private static func describe(_ items: [RetrievedItem]) -> String {
        items.isEmpty ? "nothing retrieved" : items.map { "\($0.kind):\($0.id)" }.joined(separator: ", ")
    }

    private static func describe(_ guards: [GuardVerdict]) -> String {
        guards.isEmpty ? "no guard fired" : guards.map { "\($0.name):\($0.action)" }.joined(separator: ", ")
    }
}
