import Foundation

/// Recognises catalogue SKUs and product names in free text.
struct ProductMatcher: Sendable {
    private struct Entry: Sendable {
        var sku: String
        var name: String
        var tokens: Set<String>
    }

    private let entries: [Entry]
    private let skusByKey: [String: String]
    /// Word to the positions in `entries` of the products whose names hold it.
    private let byToken: [String: [Int]]
    private static let skuShape = try! NSRegularExpression(
        pattern: #"(?<![A-Za-z0-9])[A-Za-z]{2,4}[- ]?\d{3,5}(?![0-9])"#)
    private static let ignored: Set = ["the", "a", "an", "and", "of", "with", "for", "in", "set", "x"]

    init(products: [(sku: String, name: String)]) {
        entries = products.map { product in
            Entry(
                sku: product.sku, name: product.name,
                tokens: Set(Self.tokens(product.name)).subtracting(Self.ignored))
        }
        var byToken: [String: [Int]] = [:]
        for (position, entry) in entries.enumerated() {
            for token in entry.tokens { byToken[token, default: []].append(position) }
        }
        self.byToken = byToken
        skusByKey = Dictionary(products.map { (Self.key($0.sku), $0.sku) }, uniquingKeysWith: { first, _ in first })
    }

    /// SKUs written in `text`, however they are spaced or cased.
    func skus(in text: String) -> [(String, Range<String.Index>)] {
        Self.skuShape.ranges(in: text).compactMap { range, written in
            skusByKey[Self.key(written)].map { ($0, range) }
        }
    }

    /// Products whose names are mostly present in `text`, best first (at most three).
    func names(in text: String) -> [(sku: String, name: String)] {
        let words = Set(Self.tokens(text))
        guard !words.isEmpty else { return [] }
        // Only products sharing a word with the message are scored, found through the word index.
        var shares: [Int: Int] = [:]
        for word in words {
            for position in byToken[word] ?? [] { shares[position, default: 0] += 1 }
        }
        var scored: [(score: Double, entry: Entry)] = []
        for (position, shared) in shares {
            let entry = entries[position]
            let coverage = Double(shared) / Double(entry.tokens.count)
            // Two shared words, or a one-word name, keep common words like "oak" from naming a product alone.
            if coverage >= 0.6 && (shared >= 2 || entry.tokens.count == 1) {
                scored.append((coverage + Double(shared) * 0.01, entry))
            }
        }
        scored.sort { $0.score > $1.score || ($0.score == $1.score && $0.entry.sku < $1.entry.sku) }
        return scored.prefix(5).map { ($0.entry.sku, $0.entry.name) }
    }

    static func tokens(_ text: String) -> [String] {
        text.lowercased().split { !($0.isLetter || $0.isNumber) }.map { word in
            // A plural and its singular should match ("mugs" names "Mug").
            if word.count > 4 && ["ches", "shes", "xes", "sses"].contains(where: { word.hasSuffix($0) }) {
                return String(word.dropLast(2))
            }
            return word.count > 3 && word.hasSuffix("s") && !word.hasSuffix("ss")
                ? String(word.dropLast()) : String(word)
        }
    }

    private static func key(_ sku: String) -> String {
        sku.uppercased().filter { $0.isLetter || $0.isNumber }
    }
}
