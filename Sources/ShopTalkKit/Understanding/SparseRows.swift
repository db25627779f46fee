import Foundation

/// Training vectors in compressed sparse row layout, which keeps the solver's inner loops on contiguous memory.
struct SparseRows: Sendable {
    /// Start of each row in `indices` and `values`, plus the end of the last row.
    private(set) var offsets: [Int] = [0]
    /// Column of each stored value.
    private(set) var indices: [Int32] = []
    /// The stored values, row after row.
    private(set) var values: [Float] = []

    /// Number of rows.
    var count: Int { offsets.count - 1 }

    /// The same rows with columns renumbered by decreasing frequency, and the original column of each new one.
    func renumberedByFrequency(featureCount: Int) -> (rows: SparseRows, originalColumn: [Int]) {
        var frequency = [Int](repeating: 0, count: featureCount)
        for index in indices {
            frequency[Int(index)] += 1
        }
        let originalColumn = (0..<featureCount).sorted { (frequency[$1], $0) < (frequency[$0], $1) }
        var newColumn = [Int32](repeating: 0, count: featureCount)
        for (column, original) in originalColumn.enumerated() {
            newColumn[original] = Int32(column)
        }
        var result = self
        result.indices = indices.map { newColumn[Int($0)] }
        return (result, originalColumn)
    }

    /// Packs `vectors` in order.
    init(_ vectors: [SparseVector]) {
        offsets.reserveCapacity(vectors.count + 1)
        for vector in vectors {
            indices.append(contentsOf: vector.indices)
            values.append(contentsOf: vector.values)
            offsets.append(indices.count)
        }
    }
}
