import Foundation
import ShopTalkKit

/// One difference between a recorded turn and its replay.
public struct ReplayChange: Sendable, Hashable {
    public var field: String
    public var recorded: String
    public var replayed: String
}

/// A recorded turn set beside its replay.
public struct ReplayComparison: Sendable {
    public var index: Int
    public var message: String
    public var changes: [ReplayChange]
    /// The prompt changed and the turn was served by an outside model, so only a live call can replay it.
    public var needsLiveCall: Bool
    public var recorded: Turn
    public var replayed: Turn
}

/// A replayed session.
public struct SessionReplay: Sendable {
    public var original: String
    public var replayID: String
    public var customerID: String?
    public var comparisons: [ReplayComparison]

    public var changed: Int { comparisons.filter { !$0.changes.isEmpty }.count }
}

/// Reruns logged sessions' customer messages through today's pipeline and compares every stage.
///
/// A replay is a new session, recorded as a replay of the original; the original's audit trail is untouched.
/// Known limit: messages are replayed as the audit log stored them, with personal data already redacted.
public struct Replayer: Sendable {
    public let engine: Engine

    public init(engine: Engine) {
        self.engine = engine
    }

    /// Ids of the recorded sessions, not themselves replays, that started at or after `since` (ISO 8601).
    public func sessions(since: String) throws -> [String] {
        try engine.audit.sessions(limit: 100_000).filter { $0.started >= since && !$0.id.hasPrefix("replay-") }
            .map(\.id).reversed()
    }

    /// Replays one session.
    ///
    /// - Parameters:
    ///   - prompt: `NAME@VERSION` to replay against instead of the versions recorded.
    ///   - live: call outside models where the rendered prompt changed, instead of marking the turn.
    public func replay(sessionID: String, against prompt: String?, live: Bool) async throws -> SessionReplay {
        let recorded = try engine.audit.turns(sessionID: sessionID)
        guard let first = recorded.first else { throw ReplayError.unknownSession(sessionID) }
        let replayID = "replay-\(sessionID)-\(UUID().uuidString.prefix(4).lowercased())"
        let session = try engine.makeSession(id: replayID, customerID: first.customerID, isolated: true)
        await session.replaying(recorded, of: sessionID, live: live)
        if let prompt {
            try await session.usePrompt(prompt)
        } else if let used = recorded.compactMap(\.prompt).first {
            try? await session.usePrompt(used)
        }
        for turn in recorded {
            if turn.customerID != (await session.customer?.id) { try await session.signIn(turn.customerID) }
            await session.pinClock(try? Date(turn.at, strategy: .iso8601))
            // A model pinned with `/model use` shows on every generated turn; the replay pins it again, so an
            // override is not mistaken for a routing change. (A model that no longer exists is left to routing.)
            if turn.route.kind == "generate" {
                try? await session.useModel(turn.route.reason == "session_override" ? turn.route.model : nil)
            }
            if turn.message.isEmpty && turn.route.kind == "handoff" {
                _ = try await session.requestHandoff(reason: turn.route.reason)
            } else {
                _ = try await session.send(turn.message)
            }
        }
        // Compared as stored, so personal data is redacted the same way on both sides.
        let replayedTurns = try engine.audit.turns(sessionID: replayID)
        let comparisons = zip(recorded, replayedTurns).map { turn, replayed in
            ReplayComparison(
                index: turn.index, message: turn.message, changes: Self.changes(turn, replayed),
                needsLiveCall: replayed.flags.contains("needs_live_call"), recorded: turn, replayed: replayed)
        }
        return SessionReplay(
            original: sessionID, replayID: replayID, customerID: first.customerID,
            comparisons: comparisons)
    }

    static func changes(_ old: Turn, _ new: Turn) -> [ReplayChange] {
        let fields: [(String, (Turn) -> String)] = [
            ("intent", { $0.intent?.intent ?? "none" }),
            ("entities", { $0.entities.map { "\($0.kind)=\($0.value)" }.sorted().joined(separator: ", ") }),
            ("retrieved", { $0.retrieved.map { "\($0.kind):\($0.id)" }.joined(separator: ", ") }),
            ("prompt", { $0.prompt ?? "none" }),
            ("model", { $0.model ?? "none" }),
            ("handoff", { $0.handoff?.reason ?? "none" }),
            ("guards", { $0.guards.map { "\($0.name):\($0.action)" }.joined(separator: ", ") }),
            ("reply", { $0.reply }),
        ]
        // Handoff references name the session, so two replies differing only there are the same reply.
        let normalise = { (turn: Turn, text: String) in
            turn.handoff.map { text.replacingOccurrences(of: $0.id, with: "HO-…") } ?? text
        }
        return fields.compactMap { name, value in
            let recorded = normalise(old, value(old))
            let replayed = normalise(new, value(new))
            return recorded == replayed ? nil : ReplayChange(field: name, recorded: recorded, replayed: replayed)
        }
    }
}

/// Problems replaying.
public enum ReplayError: Error, CustomStringConvertible, Sendable {
    case unknownSession(String)

    public var description: String {
        switch self {
        case .unknownSession(let id): "no recorded turns for session '\(id)' (see /sessions or shoptalk audit tail)"
        }
    }
}
