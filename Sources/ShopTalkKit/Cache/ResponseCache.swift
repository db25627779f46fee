import Synchronization

/// Exact-match cache of model responses, keyed over the rendered prompt, the model, the decoding parameters
/// and the versions of the records used, least recently used entries evicted first.
public final class ResponseCache: Sendable {
    private struct State: ~Copyable {
        var entries: [String: (response: ModelResponse, tick: UInt64)] = [:]
        var tick: UInt64 = 0
        var hits = 0
        var misses = 0
    }

    private let capacity: Int
    private let state = Mutex(State())

    public init(capacity: Int) {
        self.capacity = max(capacity, 1)
    }

    /// The cached response for `key`, counting the hit or miss.
    public func lookup(_ key: String) -> ModelResponse? {
        state.withLock { state in
            state.tick += 1
            guard let entry = state.entries[key] else {
                state.misses += 1
                return nil
            }
            state.hits += 1
            state.entries[key] = (entry.response, state.tick)
            return entry.response
        }
    }

    /// Stores a response, evicting the least recently used entry when full.
    public func store(_ response: ModelResponse, for key: String) {
        state.withLock { state in
            state.tick += 1
            if state.entries.count >= capacity, state.entries[key] == nil,
                let oldest = state.entries.min(by: { $0.value.tick < $1.value.tick })?.key
            {
                state.entries.removeValue(forKey: oldest)
            }
            state.entries[key] = (response, state.tick)
        }
    }

    /// Entries, hits and misses so far.
    public var statistics: (entries: Int, hits: Int, misses: Int) {
        state.withLock { ($0.entries.count, $0.hits, $0.misses) }
    }

    /// Empties the cache and its counters.
    public func clear() {
        state.withLock { $0 = State() }
    }
}
