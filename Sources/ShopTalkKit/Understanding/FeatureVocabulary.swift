import Foundation

/// A sparse feature vector: column indices in increasing order with their values.
struct SparseVector: Sendable, Hashable {
    /// Column indices, increasing.
    var indices: [Int32] = []
    /// The value at each index.
    var values: [Float] = []
}

/// The feature keys seen in training with their inverse document frequencies.
struct FeatureVocabulary: Sendable, Hashable {
    /// Sorted feature keys; a key's position is its column.
    var keys: [UInt32]
    /// Smoothed inverse document frequency of each column.
    var idf: [Float]
    /// Relative weight of each `TextFeatures.Group` in a vector.
    var groupWeights: [Float]

    /// Number of columns.
    var count: Int { keys.count }

    /// Builds the vocabulary from the feature counts of the training messages.
    ///
    /// Keys seen in fewer than `minimumDocuments` messages are dropped: they are mostly typos and unique
    /// five-grams that cost space without helping unseen messages.
    init(documents: [[TextFeatures.Count]], minimumDocuments: Int, groupWeights: [Float]) {
        var all: [UInt32] = []
        all.reserveCapacity(documents.reduce(0) { $0 + $1.count })
        for document in documents {
            all.append(contentsOf: document.lazy.map(\.key))
        }
        all.sort()
        var keys: [UInt32] = []
        var idf: [Float] = []
        let total = Float(documents.count)
        var start = 0
        while start < all.count {
            var end = start + 1
            while end < all.count, all[end] == all[start] {
                end += 1
            }
            if end - start >= minimumDocuments {
                keys.append(all[start])
                idf.append(log((1 + total) / Float(1 + end - start)) + 1)
            }
            start = end
        }
        self.init(keys: keys, idf: idf, groupWeights: groupWeights)
    }

    /// Wraps already computed parts, as read from a serialized model.
    init(keys: [UInt32], idf: [Float], groupWeights: [Float]) {
        self.keys = keys
        self.idf = idf
        self.groupWeights = groupWeights
    }

    /// The column of `key`, or nil when training never saw it.
    func column(of key: UInt32) -> Int? {
        var low = 0
        var high = keys.count
        while low < high {
            let middle = (low + high) / 2
            if keys[middle] < key {
                low = middle + 1
            } else {
                high = middle
            }
        }
        return low < keys.count && keys[low] == key ? low : nil
    }

    /// Sublinear TF-IDF with each group L2-normalised, scaled by its weight, then the whole vector normalised.
    func vector(for counts: [TextFeatures.Count]) -> SparseVector {
        var vector = SparseVector()
        vector.indices.reserveCapacity(counts.count)
        vector.values.reserveCapacity(counts.count)
        var groups: [Int] = []
        groups.reserveCapacity(counts.count)
        var squaredNorms = [Float](repeating: 0, count: TextFeatures.Group.allCases.count)
        for count in counts {
            guard let column = column(of: count.key) else { continue }
            let value = (1 + log(count.count)) * idf[column]
            let group = Int(TextFeatures.group(of: count.key).rawValue)
            vector.indices.append(Int32(column))
            vector.values.append(value)
            groups.append(group)
            squaredNorms[group] += value * value
        }
        var scales = squaredNorms.enumerated().map { group, squared in
            squared > 0 ? groupWeights[group] / squared.squareRoot() : 0
        }
        let total = zip(squaredNorms, groupWeights).reduce(Float(0)) { sum, pair in
            pair.0 > 0 ? sum + pair.1 * pair.1 : sum
        }
        if total > 0 {
            scales = scales.map { $0 / total.squareRoot() }
        }
        for position in vector.values.indices {
            vector.values[position] *= scales[groups[position]]
        }
        return vector
    }
}
