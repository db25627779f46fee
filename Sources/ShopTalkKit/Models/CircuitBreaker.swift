/// When a circuit breaker stops calls to a failing model and when it tries again.
public struct CircuitBreakerPolicy: Hashable, Sendable {
    /// Consecutive failed calls that open the circuit.
    public var failureThreshold: Int
    /// Seconds an open circuit waits before letting one trial call through.
    public var cooldown: Double

    /// Creates a policy; a threshold below one is treated as one.
    public init(failureThreshold: Int = 5, cooldown: Double = 30) {
        self.failureThreshold = max(1, failureThreshold)
        self.cooldown = cooldown
    }
}

/// Whether a model currently receives calls.
public enum CircuitState: String, Hashable, Sendable {
    /// Calls go through.
    case closed
    /// Calls are refused until the cooldown has passed.
    case open
    /// The cooldown has passed; the next call is a trial that closes or reopens the circuit.
    case halfOpen = "half-open"
}

/// The failure bookkeeping for one model.
struct CircuitBreaker {
    private(set) var consecutiveFailures = 0
    private var openedAt: Double?
    private var trialInFlight = false

    /// Creates a closed breaker.
    init() {}

    /// The state at time `now`.
    func state(at now: Double, policy: CircuitBreakerPolicy) -> CircuitState {
        guard let openedAt else { return .closed }
        return now - openedAt >= policy.cooldown ? .halfOpen : .open
    }

    /// Whether a call may start now; a half-open breaker admits a single trial at a time.
    mutating func admit(at now: Double, policy: CircuitBreakerPolicy) -> Bool {
        switch state(at: now, policy: policy) {
        case .closed:
            return true
        case .open:
            return false
        case .halfOpen:
            guard !trialInFlight else { return false }
            trialInFlight = true
            return true
        }
    }

    /// Closes the breaker after a call succeeded.
    mutating func recordSuccess() {
        self = CircuitBreaker()
    }

    /// Counts a failed call, opening the breaker at the threshold or when a trial call failed.
    mutating func recordFailure(at now: Double, policy: CircuitBreakerPolicy) {
        consecutiveFailures += 1
        if openedAt != nil || consecutiveFailures >= policy.failureThreshold { openedAt = now }
        trialInFlight = false
    }

    /// Forgets an admitted call that ended without a verdict, such as a cancelled one.
    mutating func release() {
        trialInFlight = false
    }
}
