import Foundation

/// Writes audit records on a thread of its own, committing everything that queued up while the previous
/// commit was syncing to disk in one transaction: durability costs one sync per batch, not per record,
/// and no task of the cooperative pool ever blocks on the disk.
final class GroupCommitWriter: @unchecked Sendable {
    private typealias Waiter = (record: AuditRecord, continuation: CheckedContinuation<AuditEntry, Error>)

    private let appender: ChainAppender
    // `pending` and `running` are only touched with `condition` locked.
    private let condition = NSCondition()
    private var pending: [Waiter] = []
    private var running = false

    init(appender: ChainAppender) {
        self.appender = appender
    }

    /// Queues a record and resumes once it is committed.
    func submit(_ record: AuditRecord) async throws -> AuditEntry {
        try await withCheckedThrowingContinuation { continuation in
            condition.lock()
            pending.append((record, continuation))
            if !running {
                running = true
                let thread = Thread { [self] in drain() }
                thread.name = "shoptalk-audit"
                thread.start()
            }
            condition.signal()
            condition.unlock()
        }
    }

    /// Commits batches until nothing has arrived for a while, then lets the thread end.
    private func drain() {
        while true {
            condition.lock()
            if pending.isEmpty { _ = condition.wait(until: Date(timeIntervalSinceNow: 0.5)) }
            if pending.isEmpty {
                running = false
                condition.unlock()
                return
            }
            let batch = pending
            pending.removeAll(keepingCapacity: true)
            condition.unlock()

            do {
                let entries = try appender.append(batch.map(\.record))
                for (waiter, entry) in zip(batch, entries) { waiter.continuation.resume(returning: entry) }
            } catch {
                for waiter in batch { waiter.continuation.resume(throwing: error) }
            }
        }
    }
}
