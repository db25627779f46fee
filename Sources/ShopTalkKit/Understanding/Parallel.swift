import Foundation

/// Runs independent pieces of training work on all cores.
enum Parallel {
    /// `transform` applied to every index in `0..<count`, in index order whatever the scheduling.
    static func map<Result>(count: Int, _ transform: @Sendable (Int) -> Result) -> [Result] {
        guard count > 1 else { return (0..<count).map(transform) }
        let storage = UnsafeMutableBufferPointer<Result>.allocate(capacity: count)
        defer { storage.deallocate() }
        let slots = Slots(base: storage.baseAddress!)
        DispatchQueue.concurrentPerform(iterations: count) { index in
            (slots.base + index).initialize(to: transform(index))
        }
        let results = Array(storage)
        _ = storage.deinitialize()
        return results
    }
}

/// The result buffer shared by iterations that each initialise a distinct element.
private struct Slots<Result>: @unchecked Sendable {
    let base: UnsafeMutablePointer<Result>
}
