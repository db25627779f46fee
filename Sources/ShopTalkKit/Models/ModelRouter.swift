import Foundation

/// Calls models resiliently: a deadline per call, retries with jittered exponential backoff for retryable
/// faults, a fallback chain, and a circuit breaker per model so a dead backend stops costing time.
///
/// An actor because breakers and the jitter source are shared by every conversation using the router.
public actor ModelRouter {
    private let models: [String: any LanguageModel]
    private let fallbacks: [String]
    private let retry: RetryPolicy
    private let breakerPolicy: CircuitBreakerPolicy
    private let callTimeout: Double?
    private let clock: any ModelClock
    private var breakers: [String: CircuitBreaker] = [:]
    private var random: SplitMix64

    /// Creates a router.
    ///
    /// - Parameters:
    ///   - models: The backends by their `name`; a later duplicate replaces an earlier one.
    ///   - fallbacks: Names tried in order after the routed model when a call does not name its own.
    ///   - callTimeout: Seconds one call may take before it counts as `ModelError.timedOut`; `nil` leaves timing
    ///     to the models. It runs on real time whatever the clock, because it bounds real network calls.
    ///   - clock: Measures durations, spaces retries and times breaker cooldowns.
    ///   - seed: Fixes the retry jitter sequence so runs are reproducible.
    public init(
        models: [any LanguageModel], fallbacks: [String] = [], retry: RetryPolicy = RetryPolicy(),
        breaker: CircuitBreakerPolicy = CircuitBreakerPolicy(), callTimeout: Double? = nil,
        clock: any ModelClock = SystemModelClock(), seed: UInt64 = 0
    ) {
        self.models = Dictionary(models.map { ($0.name, $0) }, uniquingKeysWith: { _, last in last })
        self.fallbacks = fallbacks
        self.retry = retry
        self.breakerPolicy = breaker
        self.callTimeout = callTimeout
        self.clock = clock
        self.random = SplitMix64(seed: seed)
    }

    /// Answers `request` with `model`, falling back to each of `fallbacks` (the router's own when `nil`) in order.
    ///
    /// Retryable faults (`ModelError.isRetryable`) are retried on the same model; other faults, exhausted
    /// retries and open circuits move on to the next model. Cancellation stops at once. Every call is recorded
    /// as an attempt (`ok` or `error`, timed with the router's clock); a call refused by an open circuit is an
    /// `error` attempt of zero duration whose error says so.
    ///
    /// - Throws: `RoutingFailure` with every attempt when no model answered, or `CancellationError`.
    public func complete(
        _ request: ModelRequest, model: String, fallbacks: [String]? = nil
    ) async throws -> RoutedResponse {
        var attempts: [ModelAttempt] = []
        var lastError: ModelError?
        var seen: Set<String> = []
        let chain = ([model] + (fallbacks ?? self.fallbacks)).filter { seen.insert($0).inserted }
        for name in chain {
            // Names without a backend are passed over silently, as a workspace may list optional models.
            guard let backend = models[name] else { continue }
            for attempt in 1...retry.maxAttempts {
                try Task.checkCancellation()
                guard breakers[name, default: CircuitBreaker()].admit(at: clock.now(), policy: breakerPolicy) else {
                    let refusal = ModelError.circuitOpen(model: name)
                    attempts.append(ModelAttempt(model: name, outcome: "error", error: refusal.description, micros: 0))
                    lastError = refusal
                    break
                }
                let started = clock.now()
                do {
                    let response = try await CallDeadline.run(seconds: callTimeout, model: name) {
                        try await backend.complete(request)
                    }
                    breakers[name, default: CircuitBreaker()].recordSuccess()
                    attempts.append(
                        ModelAttempt(model: name, outcome: "ok", error: nil, micros: micros(since: started))
                    )
                    return RoutedResponse(response: response, model: name, attempts: attempts)
                } catch is CancellationError {
                    breakers[name, default: CircuitBreaker()].release()
                    throw CancellationError()
                } catch {
                    breakers[name, default: CircuitBreaker()].recordFailure(at: clock.now(), policy: breakerPolicy)
                    attempts.append(
                        ModelAttempt(
                            model: name, outcome: "error", error: String(describing: error),
                            micros: micros(since: started)
                        )
                    )
                    let fault = error as? ModelError
                    lastError = fault ?? lastError
                    guard fault?.isRetryable == true, attempt < retry.maxAttempts else { break }
                    try await clock.sleep(seconds: retry.delay(beforeRetry: attempt, unit: random.nextUnit()))
                }
            }
        }
        throw RoutingFailure(attempts: attempts, lastError: lastError)
    }

    private func micros(since start: Double) -> Int {
        Int(((clock.now() - start) * 1_000_000).rounded())
    }

    /// The breaker state of `model` now.
    public func circuitState(of model: String) -> CircuitState {
        breakers[model, default: CircuitBreaker()].state(at: clock.now(), policy: breakerPolicy)
    }
}
