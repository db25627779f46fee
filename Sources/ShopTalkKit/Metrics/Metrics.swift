import Synchronization

/// Running totals across sessions: turns, latency percentiles, tokens and cost per model, routes, guards and
/// flags.
public final class Metrics: Sendable {
    /// A snapshot for `/stats` and reports.
    public struct Snapshot: Sendable {
        public var turns: Int
        public var latencyMicros: [Int]
        public var costByModel: [String: Double]
        public var tokensByModel: [String: Int]
        public var routes: [String: Int]
        public var intents: [String: Int]
        public var guards: [String: Int]
        /// Turns by flag: `fallback`, `cancelled`, `model_unavailable`, `embeddings_unavailable` and the rest.
        public var flags: [String: Int]
        public var handoffs: Int
        public var cacheHits: Int

        /// The latency at quantile `q` (0…1) in microseconds, 0 with no turns.
        public func latency(quantile q: Double) -> Int {
            guard !latencyMicros.isEmpty else { return 0 }
            let sorted = latencyMicros.sorted()
            let position = min(sorted.count - 1, Int((Double(sorted.count - 1) * q).rounded()))
            return sorted[position]
        }
    }

    private let state = Mutex(
        Snapshot(
            turns: 0, latencyMicros: [], costByModel: [:], tokensByModel: [:], routes: [:], intents: [:],
            guards: [:], flags: [:], handoffs: 0, cacheHits: 0))

    public init() {}

    /// Counts one finished turn.
    public func record(_ turn: Turn) {
        state.withLock { snapshot in
            snapshot.turns += 1
            // Known limit: latencies are kept in full; a long-lived process should move to a histogram.
            snapshot.latencyMicros.append(turn.latencyMicros)
            snapshot.routes[turn.route.kind, default: 0] += 1
            if let intent = turn.intent?.intent { snapshot.intents[intent, default: 0] += 1 }
            for verdict in turn.guards where verdict.action != "pass" { snapshot.guards[verdict.name, default: 0] += 1 }
            // A replay's flag names the session it replays; counted apart, each would be a flag of its own.
            for flag in Set(turn.flags) where !flag.hasPrefix("replay_of:") { snapshot.flags[flag, default: 0] += 1 }
            if turn.handoff != nil { snapshot.handoffs += 1 }
            if turn.cache == "hit" { snapshot.cacheHits += 1 }
            if let model = turn.model, let usage = turn.usage {
                snapshot.costByModel[model, default: 0] += usage.cost
                snapshot.tokensByModel[model, default: 0] += usage.inputTokens + usage.outputTokens
            }
        }
    }

    /// The totals so far.
    public var snapshot: Snapshot {
        state.withLock { $0 }
    }
}
