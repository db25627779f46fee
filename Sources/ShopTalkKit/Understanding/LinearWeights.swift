import Foundation

/// Per-class linear scores, stored feature-major so that scoring a sparse message reads contiguous rows.
struct LinearWeights: Sendable, Hashable {
    /// Number of classes.
    var classCount: Int
    /// `weights[column * classCount + class]`.
    var weights: [Float]
    /// Intercept of each class.
    var bias: [Float]

    /// The score of every class for `vector`.
    func scores(for vector: SparseVector) -> [Float] {
        var scores = bias
        weights.withUnsafeBufferPointer { weights in
            scores.withUnsafeMutableBufferPointer { scores in
                for (index, value) in zip(vector.indices, vector.values) {
                    let row = Int(index) * classCount
                    for label in 0..<classCount {
                        scores[label] += value * weights[row + label]
                    }
                }
            }
        }
        return scores
    }
}
