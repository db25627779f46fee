/// How often and how patiently a `ModelRouter` retries one model after a retryable fault.
public struct RetryPolicy: Hashable, Sendable {
    /// Calls per model, the first one included; one means no retries.
    public var maxAttempts: Int
    /// Seconds before the first retry; each further retry doubles it.
    public var baseDelay: Double
    /// Upper bound in seconds for any single delay.
    public var maxDelay: Double
    /// Share (0…1) of each delay that is randomised, so clients failing together do not retry together.
    public var jitter: Double

    /// Creates a policy; out-of-range values are clamped.
    public init(maxAttempts: Int = 3, baseDelay: Double = 0.25, maxDelay: Double = 4, jitter: Double = 0.5) {
        self.maxAttempts = max(1, maxAttempts)
        self.baseDelay = max(0, baseDelay)
        self.maxDelay = max(0, maxDelay)
        self.jitter = min(1, max(0, jitter))
    }

    /// No retries at all.
    public static let none = RetryPolicy(maxAttempts: 1)

    /// The delay before retry number `retry` (1 for the first), given a uniform random `unit` in `0..<1`.
    public func delay(beforeRetry retry: Int, unit: Double) -> Double {
        let exponential = baseDelay * Double(1 << min(max(retry - 1, 0), 30))
        let capped = min(maxDelay, exponential)
        return capped * (1 - jitter * unit)
    }
}
