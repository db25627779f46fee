/// A SplitMix64 generator with a Fisher-Yates shuffle, so that training never depends on the clock
/// or on the standard library's shuffling algorithm.
struct TrainingShuffler: RandomNumberGenerator, Sendable {
    private var state: UInt64

    /// Starts the sequence at `seed`.
    init(seed: UInt64) {
        state = seed
    }

    /// The next 64 random bits.
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var value = state
        value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
        value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
        return value ^ (value >> 31)
    }

    /// Fisher-Yates over the first `count` elements, independent of the standard library's algorithm.
    mutating func shuffle<Elements: MutableCollection>(_ elements: inout Elements, count: Int)
    where Elements.Index == Int {
        guard count > 1 else { return }
        for index in stride(from: count - 1, to: 0, by: -1) {
            let other = Int(next() % UInt64(index + 1))
            elements.swapAt(index, other)
        }
    }
}
