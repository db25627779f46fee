import Foundation

/// Per-class linear scores with each feature's weights stored as 8-bit codes and one scale, a quarter of the
/// size of floats; the rounding error is far below the margins that separate classes.
struct QuantizedWeights: Sendable, Hashable {
    /// Number of classes.
    var classCount: Int
    /// `codes[column * classCount + class]`, the weight divided by the column's scale.
    var codes: [Int8]
    /// Scale of each column.
    var scales: [Float]
    /// Intercept of each class.
    var bias: [Float]

    /// Quantizes `weights` column by column.
    init(_ weights: LinearWeights) {
        classCount = weights.classCount
        bias = weights.bias
        let columns = weights.classCount > 0 ? weights.weights.count / weights.classCount : 0
        codes = [Int8](repeating: 0, count: weights.weights.count)
        scales = [Float](repeating: 0, count: columns)
        for column in 0..<columns {
            let row = column * classCount..<(column + 1) * classCount
            let largest = weights.weights[row].reduce(Float(0)) { max($0, abs($1)) }
            guard largest > 0 else { continue }
            let scale = largest / 127
            scales[column] = scale
            for index in row {
                codes[index] = Int8((weights.weights[index] / scale).rounded())
            }
        }
    }

    /// Wraps already quantized parts, as read from a serialized model.
    init(classCount: Int, codes: [Int8], scales: [Float], bias: [Float]) {
        self.classCount = classCount
        self.codes = codes
        self.scales = scales
        self.bias = bias
    }

    /// The score of every class for `vector`.
    func scores(for vector: SparseVector) -> [Float] {
        var scores = bias
        codes.withUnsafeBufferPointer { codes in
            scores.withUnsafeMutableBufferPointer { scores in
                for (index, value) in zip(vector.indices, vector.values) {
                    let column = Int(index)
                    let factor = value * scales[column]
                    let row = column * classCount
                    for label in 0..<classCount {
                        scores[label] += factor * Float(codes[row + label])
                    }
                }
            }
        }
        return scores
    }
}
