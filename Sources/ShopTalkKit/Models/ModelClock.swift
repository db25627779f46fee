import Foundation

/// The time source a `ModelRouter` waits and measures with; tests inject one that never really sleeps.
public protocol ModelClock: Sendable {
    /// Seconds since an arbitrary fixed origin; only differences are meaningful.
    func now() -> Double

    /// Waits `seconds`, throwing `CancellationError` if the task is cancelled meanwhile.
    func sleep(seconds: Double) async throws
}

/// Real, monotonic time.
public struct SystemModelClock: ModelClock {
    private let origin = ContinuousClock.now

    /// Creates a clock whose origin is the moment of creation.
    public init() {}

    /// Seconds since this clock was created.
    public func now() -> Double {
        let (seconds, attoseconds) = (ContinuousClock.now - origin).components
        return Double(seconds) + Double(attoseconds) * 1e-18
    }

    /// Really waits.
    public func sleep(seconds: Double) async throws {
        guard seconds > 0 else { return }
        try await Task.sleep(for: .seconds(seconds))
    }
}
