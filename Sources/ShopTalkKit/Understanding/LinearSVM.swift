import Foundation

/// One-vs-rest linear SVM with squared hinge loss, solved by dual coordinate descent (Hsieh et al., 2008).
///
/// The binary problems are independent, but they are solved side by side over a shared row order: one pass over
/// a row's features then serves every class with contiguous, vectorisable reads of the weight matrix.
struct LinearSVM: Sendable {
    /// Inverse regularisation strength.
    var cost: Float = 2
    /// Stopping tolerance on the projected-gradient spread of each class.
    var tolerance: Float = 0.1
    /// Upper bound on passes over the data; a few passes reach held-out accuracy on text, later ones only
    /// polish the training fit.
    var maximumEpochs = 6
    /// Upper bound on passes when warm-started.
    var warmEpochs = 3
    /// Classes are split into this many blocks solved in parallel; fixed so results never depend on the machine.
    var blocks = 2

    /// Trained scorers with the dual variables that produced them.
    struct Solution: Sendable {
        /// The scorers.
        var model: LinearWeights
        /// `dual[row * classCount + class]`, reusable to warm-start training on related rows.
        var dual: [Float]
    }

    /// Trains one scorer per class, starting from `warmStart` dual variables when given.
    ///
    /// A warm start from a model trained on most of the same rows needs only a few passes to converge.
    func train(
        rows: SparseRows, labels: [Int], classCount: Int, featureCount: Int, warmStart: [Float]? = nil
    ) -> Solution {
        // Renumbering columns by frequency packs the weights touched most often together in the cache.
        let (packed, originalColumn) = rows.renumberedByFrequency(featureCount: featureCount)
        let blockCount = max(1, min(blocks, classCount))
        let bounds = (0...blockCount).map { $0 * classCount / blockCount }
        let solved = Parallel.map(count: blockCount) { block in
            solve(
                rows: packed, labels: labels, classes: bounds[block]..<bounds[block + 1], classCount: classCount,
                featureCount: featureCount, warmStart: warmStart
            )
        }
        var dual = [Float](repeating: 0, count: rows.count * classCount)
        var weights = [Float](repeating: 0, count: featureCount * classCount)
        var bias = [Float](repeating: 0, count: classCount)
        for (block, part) in solved.enumerated() {
            let first = bounds[block]
            let width = part.bias.count
            for (column, original) in originalColumn.enumerated() {
                for offset in 0..<width {
                    weights[original * classCount + first + offset] = part.weights[column * width + offset]
                }
            }
            for offset in 0..<width {
                bias[first + offset] = part.bias[offset]
            }
            for row in 0..<rows.count {
                for offset in 0..<width {
                    dual[row * classCount + first + offset] = part.dual[row * width + offset]
                }
            }
        }
        return Solution(model: LinearWeights(classCount: classCount, weights: weights, bias: bias), dual: dual)
    }

    /// Solves the binary problems of `classes`; weights come back feature-major over those classes only.
    private func solve(
        rows: SparseRows, labels: [Int], classes: Range<Int>, classCount: Int, featureCount: Int, warmStart: [Float]?
    ) -> (weights: [Float], bias: [Float], dual: [Float]) {
        let count = rows.count
        let width = classes.count
        let diagonal = 1 / (2 * cost)
        // Raw buffers: closure-captured arrays would pay exclusivity checks in the innermost loops.
        let weights = UnsafeMutableBufferPointer<Float>.allocate(capacity: featureCount * width)
        let alpha = UnsafeMutableBufferPointer<Float>.allocate(capacity: count * width)
        let curvature = UnsafeMutableBufferPointer<Float>.allocate(capacity: count)
        var order = UnsafeMutableBufferPointer<Int>.allocate(capacity: count)
        let perClass = UnsafeMutableBufferPointer<Float>.allocate(capacity: width * 5)
        let changed = UnsafeMutableBufferPointer<Int>.allocate(capacity: width)
        defer {
            for buffer in [weights, alpha, curvature, perClass] {
                buffer.deallocate()
            }
            order.deallocate()
            changed.deallocate()
        }
        weights.initialize(repeating: 0)
        alpha.initialize(repeating: 0)
        perClass.initialize(repeating: 0)
        let bias = perClass.baseAddress!
        let margins = bias + width
        let steps = margins + width
        let upper = steps + width
        let lower = upper + width
        var upperLimit = [Float](repeating: .infinity, count: width)
        var random = SplitMix64(seed: 0x5EED)
        rows.offsets.withUnsafeBufferPointer { offsets in
            rows.indices.withUnsafeBufferPointer { indices in
                rows.values.withUnsafeBufferPointer { values in
                    if let warmStart {
                        for row in 0..<count {
                            for label in 0..<width {
                                let value = warmStart[row * classCount + classes.lowerBound + label]
                                alpha[row * width + label] = value
                                guard value > 0 else { continue }
                                let step = labels[row] - classes.lowerBound == label ? value : -value
                                for position in offsets[row]..<offsets[row + 1] {
                                    weights[Int(indices[position]) * width + label] += step * values[position]
                                }
                                bias[label] += step
                            }
                        }
                    }
                    for row in 0..<count {
                        order[row] = row
                        var squaredNorm = diagonal + 1
                        for position in offsets[row]..<offsets[row + 1] {
                            squaredNorm += values[position] * values[position]
                        }
                        curvature[row] = squaredNorm
                    }
                    var activeCount = count
                    for _ in 0..<(warmStart == nil ? maximumEpochs : warmEpochs) {
                        random.shuffle(&order, count: activeCount)
                        for label in 0..<width {
                            upper[label] = -.infinity
                            lower[label] = .infinity
                        }
                        var slot = 0
                        while slot < activeCount {
                            let row = order[slot]
                            let start = offsets[row]
                            let end = offsets[row + 1]
                            for label in 0..<width {
                                margins[label] = bias[label]
                            }
                            for position in start..<end {
                                let value = values[position]
                                let base = weights.baseAddress! + Int(indices[position]) * width
                                for label in 0..<width {
                                    margins[label] += value * base[label]
                                }
                            }
                            let positive = labels[row] - classes.lowerBound
                            var changedCount = 0
                            var shrinkable = true
                            for label in 0..<width {
                                let sign: Float = label == positive ? 1 : -1
                                let slotAlpha = row * width + label
                                let gradient = sign * margins[label] - 1 + diagonal * alpha[slotAlpha]
                                var projected = gradient
                                if alpha[slotAlpha] == 0 {
                                    if gradient > upperLimit[label] { continue }
                                    projected = min(gradient, 0)
                                }
                                shrinkable = false
                                upper[label] = max(upper[label], projected)
                                lower[label] = min(lower[label], projected)
                                if abs(projected) > 1e-12 {
                                    let previous = alpha[slotAlpha]
                                    alpha[slotAlpha] = max(previous - gradient / curvature[row], 0)
                                    steps[label] = (alpha[slotAlpha] - previous) * sign
                                    changed[changedCount] = label
                                    changedCount += 1
                                }
                            }
                            if changedCount > 0 {
                                for position in start..<end {
                                    let value = values[position]
                                    let base = weights.baseAddress! + Int(indices[position]) * width
                                    for index in 0..<changedCount {
                                        let label = changed[index]
                                        base[label] += value * steps[label]
                                    }
                                }
                                for index in 0..<changedCount {
                                    bias[changed[index]] += steps[changed[index]]
                                }
                            }
                            if shrinkable {
                                activeCount -= 1
                                order.swapAt(slot, activeCount)
                            } else {
                                slot += 1
                            }
                        }
                        var converged = true
                        for label in 0..<width {
                            if upper[label] - lower[label] > tolerance {
                                converged = false
                            }
                            upperLimit[label] = upper[label] <= 0 ? .infinity : upper[label]
                        }
                        if converged {
                            if activeCount == count { break }
                            // Re-check the shrunk rows before declaring convergence.
                            activeCount = count
                            upperLimit = [Float](repeating: .infinity, count: width)
                        }
                    }
                }
            }
        }
        return (Array(weights), Array(perClass.prefix(width)), Array(alpha))
    }
}
