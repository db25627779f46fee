import Foundation
import ShopTalkKit

/// A clock that only moves when told to, or when slept on, so retry and cooldown tests never wait.
final class ManualModelClock: ModelClock, @unchecked Sendable {
    private let lock = NSLock()
    private var current: Double = 0
    private var slept: [Double] = []

    /// Every sleep requested so far, in order.
    var sleeps: [Double] {
        lock.withLock { slept }
    }

    /// The time, which only sleeps and `advance(by:)` change.
    func now() -> Double {
        lock.withLock { current }
    }

    /// Records the sleep and moves time forward at once.
    func sleep(seconds: Double) async throws {
        try Task.checkCancellation()
        lock.withLock {
            slept.append(seconds)
            current += seconds
        }
    }

    /// Moves time forward without anyone sleeping.
    func advance(by seconds: Double) {
        lock.withLock { current += seconds }
    }
}
