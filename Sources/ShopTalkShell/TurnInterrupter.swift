import CEditLine
import Dispatch
import Foundation

/// Ctrl-C while the shell waits for a turn: it cancels the turn instead of ending the shell.
///
/// The signal handler only writes a byte to a pipe; a dispatch source reading the pipe cancels the turn's task.
/// Ctrl-C pressed again while the turn winds down changes nothing, so the turn is always audited; SIGQUIT
/// (Ctrl-\\) still ends the shell at once.
final class TurnInterrupter: Sendable {
    private let readEnd: Int32
    private let writeEnd: Int32

    /// Nil when no pipe could be made; Ctrl-C then ends the shell.
    init?() {
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else { return nil }
        for end in ends {
            _ = fcntl(end, F_SETFD, FD_CLOEXEC)
            _ = fcntl(end, F_SETFL, fcntl(end, F_GETFL) | O_NONBLOCK)
        }
        (readEnd, writeEnd) = (ends[0], ends[1])
    }

    deinit {
        close(readEnd)
        close(writeEnd)
    }

    /// Runs `operation` as a task that Ctrl-C cancels, and says whether it was cancelled.
    func run<Value: Sendable>(
        _ operation: @escaping @Sendable () async throws -> Value
    ) async throws -> (value: Value, interrupted: Bool) {
        drain()
        let task = Task { try await operation() }
        let source = DispatchSource.makeReadSource(fileDescriptor: readEnd, queue: .global())
        source.setEventHandler { [self] in
            drain()
            task.cancel()
        }
        source.resume()
        shim_forward_interrupts(writeEnd)
        defer {
            shim_forward_interrupts(-1)
            source.cancel()
        }
        let value = try await task.value
        return (value, task.isCancelled)
    }

    /// Empties the pipe of interrupts already handled.
    private func drain() {
        var bytes = [UInt8](repeating: 0, count: 64)
        while read(readEnd, &bytes, bytes.count) > 0 {}
    }
}
