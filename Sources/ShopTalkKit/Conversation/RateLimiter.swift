import Foundation
import Synchronization

/// A token bucket per customer: `burst` messages at once, refilled at `perMinute`.
public final class RateLimiter: Sendable {
    private let perMinute: Double
    private let burst: Double
    private let buckets = Mutex([String: (tokens: Double, at: Double)]())

    public init(config: RateLimitConfig) {
        perMinute = Double(max(config.perMinute, 1))
        burst = Double(max(config.burst, 1))
    }

    /// Whether a message from `key` at `seconds` (a monotonic reading) may go ahead; takes a token if so.
    public func admit(_ key: String, at seconds: Double) -> Bool {
        buckets.withLock { buckets in
            var bucket = buckets[key] ?? (burst, seconds)
            bucket.tokens = min(burst, bucket.tokens + (seconds - bucket.at) * perMinute / 60)
            bucket.at = seconds
            let admitted = bucket.tokens >= 1
            if admitted { bucket.tokens -= 1 }
            buckets[key] = bucket
            return admitted
        }
    }
}
