import Foundation

/// Races a call against a deadline without waiting for a call that ignores cancellation, which a task group
/// would do.
enum CallDeadline {
    /// Runs `operation`, throwing `ModelError.timedOut` if it has not finished after `seconds`.
    static func run<Value: Sendable>(
        seconds: Double?, model: String, _ operation: @escaping @Sendable () async throws -> Value
    ) async throws -> Value {
        guard let seconds else { return try await operation() }
        let race = DeadlineRace<Value>()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                race.start(
                    continuation, operation: operation, seconds: seconds,
                    timeout: ModelError.timedOut(model: model, seconds: seconds)
                )
            }
        } onCancel: {
            race.finish(.failure(CancellationError()))
        }
    }
}

/// The shared state of one race: whichever of call, timer or cancellation finishes first resumes the caller.
private final class DeadlineRace<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var continuation: CheckedContinuation<Value, any Error>?
    private var outcome: Result<Value, any Error>?
    private var contenders: [Task<Void, Never>] = []

    func start(
        _ continuation: CheckedContinuation<Value, any Error>, operation: @escaping @Sendable () async throws -> Value,
        seconds: Double, timeout: ModelError
    ) {
        let call = Task {
            do {
                finish(.success(try await operation()))
            } catch {
                finish(.failure(error))
            }
        }
        let timer = Task {
            guard (try? await Task.sleep(for: .seconds(seconds))) != nil else { return }
            finish(.failure(timeout))
        }
        let settled: Result<Value, any Error>? = lock.withLock {
            contenders = [call, timer]
            if let outcome { return outcome }
            self.continuation = continuation
            return nil
        }
        if let settled {
            call.cancel()
            timer.cancel()
            continuation.resume(with: settled)
        }
    }

    func finish(_ result: Result<Value, any Error>) {
        let (waiting, losers): (CheckedContinuation<Value, any Error>?, [Task<Void, Never>]) = lock.withLock {
            guard outcome == nil else { return (nil, []) }
            outcome = result
            defer { continuation = nil }
            return (continuation, contenders)
        }
        losers.forEach { $0.cancel() }
        waiting?.resume(with: result)
    }
}
