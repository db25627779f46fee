import Foundation

/// How well a classifier labels a set of examples, with out-of-scope treated as a class of its own.
public struct IntentEvaluation: Sendable, Hashable, Codable {
    /// Precision, recall and F1 of one label.
    public struct IntentMetrics: Sendable, Hashable, Codable {
        /// Share of the rows given this label that had it.
        public var precision: Double
        /// Share of the rows with this label that were given it.
        public var recall: Double
        /// Harmonic mean of precision and recall.
        public var f1: Double
        /// Rows whose gold label is this one.
        public var support: Int

        public init(precision: Double, recall: Double, f1: Double, support: Int) {
            self.precision = precision
            self.recall = recall
            self.f1 = f1
            self.support = support
        }
    }

    /// How often rows of one gold label were given another.
    public struct Confusion: Sendable, Hashable, Codable {
        /// The right label.
        public var gold: String
        /// The label given instead.
        public var predicted: String
        /// How many rows had this mistake.
        public var count: Int

        public init(gold: String, predicted: String, count: Int) {
            self.gold = gold
            self.predicted = predicted
            self.count = count
        }
    }

    /// Share of all rows labelled correctly.
    public var accuracy: Double
    /// Share of rows with an in-scope gold label that got exactly that label; nil when there were none.
    public var inScopeAccuracy: Double?
    /// Share of out-of-scope rows recognised as such; nil when there were none.
    public var outOfScopeRecall: Double?
    /// Share of out-of-scope answers that were right; nil when the data had no out-of-scope rows.
    public var outOfScopePrecision: Double?
    /// Unweighted mean F1 over the in-scope intents that occur as gold or prediction; nil when no row has an
    /// in-scope gold label.
    public var macroF1: Double?
    /// The classifier threshold the figures were measured at.
    public var threshold: Double
    /// Metrics of every label that occurs, out-of-scope included.
    public var perIntent: [String: IntentMetrics]
    /// The most frequent (gold, predicted) mistakes, most frequent first.
    public var confusions: [Confusion]
    /// Where the true rates plausibly lie, given how few rows measured them.
    public var intervals: Intervals

    /// 95% Wilson score intervals of the headline figures, nil where the figure itself is nil.
    ///
    /// They treat rows as independent draws, which cross-validated rows only approximately are; still, they tell
    /// a change worth keeping from one that a different sample of the same size could undo.
    public struct Intervals: Sendable, Hashable, Codable {
        /// Of `accuracy`.
        public var accuracy: ClosedRange<Double>
        /// Of `inScopeAccuracy`.
        public var inScopeAccuracy: ClosedRange<Double>?
        /// Of `outOfScopeRecall`.
        public var outOfScopeRecall: ClosedRange<Double>?
        /// Of `outOfScopePrecision`.
        public var outOfScopePrecision: ClosedRange<Double>?

        enum CodingKeys: String, CodingKey {
            case accuracy
            case inScopeAccuracy = "in_scope_accuracy"
            case outOfScopeRecall = "oos_recall"
            case outOfScopePrecision = "oos_precision"
        }

        /// Writes every key, as `[lower, upper]` or `null`.
        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(accuracy, forKey: .accuracy)
            try container.encode(inScopeAccuracy, forKey: .inScopeAccuracy)
            try container.encode(outOfScopeRecall, forKey: .outOfScopeRecall)
            try container.encode(outOfScopePrecision, forKey: .outOfScopePrecision)
        }
    }

    enum CodingKeys: String, CodingKey {
        case accuracy
        case inScopeAccuracy = "in_scope_accuracy"
        case outOfScopeRecall = "oos_recall"
        case outOfScopePrecision = "oos_precision"
        case macroF1 = "macro_f1"
        case threshold
        case perIntent = "per_intent"
        case confusions
        case intervals
    }

    /// Labels every example with `classifier` at its current threshold and scores the answers.
    public init(classifier: IntentClassifier, examples: [IntentExample], confusionLimit: Int = 20) {
        let predicted = examples.map { classifier.predict($0.text).intent }
        self.init(
            gold: examples.map(\.intent), predicted: predicted, threshold: classifier.threshold,
            confusionLimit: confusionLimit
        )
    }

    /// Scores `predicted` labels against `gold` labels of the same rows.
    public init(gold: [String], predicted: [String], threshold: Double, confusionLimit: Int = 20) {
        precondition(gold.count == predicted.count, "gold and predicted labels must pair up")
        let outOfScope = IntentClassifier.outOfScope
        let pairs = zip(gold, predicted)
        let inScope = pairs.filter { $0.0 != outOfScope }
        let outOfScopeGold = gold.count - inScope.count
        let outOfScopePredicted = predicted.filter { $0 == outOfScope }.count
        let outOfScopeHits = pairs.filter { $0.0 == outOfScope && $0.1 == outOfScope }.count
        let right = pairs.filter { $0.0 == $0.1 }.count
        let inScopeRight = inScope.filter { $0.0 == $0.1 }.count
        accuracy = Self.ratio(right, gold.count)
        inScopeAccuracy = inScope.isEmpty ? nil : Self.ratio(inScopeRight, inScope.count)
        outOfScopeRecall = outOfScopeGold > 0 ? Self.ratio(outOfScopeHits, outOfScopeGold) : nil
        outOfScopePrecision = outOfScopeGold > 0 ? Self.ratio(outOfScopeHits, outOfScopePredicted) : nil
        intervals = Intervals(
            accuracy: Self.wilsonInterval(right, of: gold.count),
            inScopeAccuracy: inScope.isEmpty ? nil : Self.wilsonInterval(inScopeRight, of: inScope.count),
            outOfScopeRecall: outOfScopeGold > 0 ? Self.wilsonInterval(outOfScopeHits, of: outOfScopeGold) : nil,
            outOfScopePrecision: outOfScopeGold > 0
                ? Self.wilsonInterval(outOfScopeHits, of: outOfScopePredicted) : nil)
        self.threshold = threshold

        var goldCounts: [String: Int] = [:]
        var predictedCounts: [String: Int] = [:]
        var mistakes: [Pair: Int] = [:]
        var hits: [String: Int] = [:]
        for (goldLabel, predictedLabel) in pairs {
            goldCounts[goldLabel, default: 0] += 1
            predictedCounts[predictedLabel, default: 0] += 1
            if goldLabel == predictedLabel {
                hits[goldLabel, default: 0] += 1
            } else {
                mistakes[Pair(gold: goldLabel, predicted: predictedLabel), default: 0] += 1
            }
        }
        var perIntent: [String: IntentMetrics] = [:]
        for label in Set(goldCounts.keys).union(predictedCounts.keys) {
            let hit = hits[label, default: 0]
            let precision = Self.ratio(hit, predictedCounts[label, default: 0])
            let recall = Self.ratio(hit, goldCounts[label, default: 0])
            let f1 = precision + recall > 0 ? 2 * precision * recall / (precision + recall) : 0
            perIntent[label] = IntentMetrics(
                precision: precision, recall: recall, f1: f1, support: goldCounts[label, default: 0]
            )
        }
        self.perIntent = perIntent
        // Summed in label order: a dictionary's order changes between runs, and with it the last bits of the sum.
        let inScopeF1 = perIntent.filter { $0.key != outOfScope }.sorted { $0.key < $1.key }.map(\.value.f1)
        macroF1 = inScope.isEmpty ? nil : inScopeF1.reduce(0, +) / Double(inScopeF1.count)
        confusions =
            mistakes
            .map { Confusion(gold: $0.key.gold, predicted: $0.key.predicted, count: $0.value) }
            .sorted { ($1.count, $0.gold, $0.predicted) < ($0.count, $1.gold, $1.predicted) }
            .prefix(confusionLimit)
            .map { $0 }
    }

    /// Writes every key, with `null` for the out-of-scope figures when they do not apply.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(accuracy, forKey: .accuracy)
        try container.encode(inScopeAccuracy, forKey: .inScopeAccuracy)
        try container.encode(outOfScopeRecall, forKey: .outOfScopeRecall)
        try container.encode(outOfScopePrecision, forKey: .outOfScopePrecision)
        try container.encode(macroF1, forKey: .macroF1)
        try container.encode(threshold, forKey: .threshold)
        try container.encode(perIntent, forKey: .perIntent)
        try container.encode(confusions, forKey: .confusions)
        try container.encode(intervals, forKey: .intervals)
    }

    /// The two-sided exact McNemar p-value for two classifiers scored on the same rows, of which `onlyFirst` only
    /// the first got right and `onlySecond` only the second: how often chance alone would split the disagreements
    /// at least this unevenly. Rows both got right, or both wrong, say nothing about which is better.
    public static func mcnemarPValue(onlyFirst: Int, onlySecond: Int) -> Double {
        let disagreements = onlyFirst + onlySecond
        guard disagreements > 0 else { return 1 }
        let n = Double(disagreements)
        // The binomial tail in log space, so that thousands of disagreements neither overflow nor underflow.
        let logHalves = n * log(0.5)
        let tail = (0...min(onlyFirst, onlySecond)).reduce(0.0) { sum, k in
            let k = Double(k)
            return sum + exp(lgamma(n + 1) - lgamma(k + 1) - lgamma(n - k + 1) + logHalves)
        }
        return min(1, 2 * tail)
    }

    /// The 95% Wilson score interval of a proportion of `successes` in `total` trials; all of 0...1 when there
    /// were none. Unlike the normal approximation it stays inside 0...1 and is honest near 0% and 100%.
    public static func wilsonInterval(_ successes: Int, of total: Int) -> ClosedRange<Double> {
        guard total > 0 else { return 0...1 }
        let z = 1.959_963_984_540_054
        let n = Double(total)
        let proportion = Double(successes) / n
        let spread = z * z / n
        let center = (proportion + spread / 2) / (1 + spread)
        let half = z / (1 + spread) * (proportion * (1 - proportion) / n + spread / (4 * n)).squareRoot()
        // At 0% and 100% the bound is exact; computed, it can miss by the last bit.
        let lower = successes == 0 ? 0 : max(0, center - half)
        let upper = successes == total ? 1 : min(1, center + half)
        return lower...upper
    }

    /// The threshold that maximises in-scope accuracy plus out-of-scope recall on `validation`, among those
    /// that cost at most `inScopeLossBudget` of in-scope accuracy compared with never rejecting.
    ///
    /// An unconstrained sum lets the usually few out-of-scope rows buy recall with many wrongly rejected
    /// customers; the budget keeps rejections of answerable messages rare. Without out-of-scope rows the
    /// highest threshold within the budget is returned, and without in-scope rows the current one.
    ///
    /// - Parameter embeddings: the embedding of every validation row, for a classifier trained with embeddings.
    public static func calibratedThreshold(
        for classifier: IntentClassifier, on validation: [IntentExample], embeddings: [[Float]]? = nil
    ) -> Double {
        let outcomes = validation.indices.map { row in
            classifier.outcome(
                probabilities: classifier.probabilities(for: validation[row].text, embedding: embeddings?[row]),
                gold: validation[row].intent)
        }
        return bestThreshold(outcomes) ?? classifier.threshold
    }

    /// In-scope accuracy a calibrated threshold may give up, as a fraction.
    static let inScopeLossBudget = 0.005

    /// The best threshold for `outcomes`, or nil when they have no in-scope rows.
    static func bestThreshold(_ outcomes: [ThresholdOutcome]) -> Double? {
        let outOfScope = IntentClassifier.outOfScope
        let inScopeTotal = outcomes.filter { $0.gold != outOfScope }.count
        let outOfScopeTotal = outcomes.count - inScopeTotal
        guard inScopeTotal > 0 else { return nil }
        let sorted = outcomes.sorted { $0.confidence < $1.confidence }
        let correct = sorted.filter { $0.gold != outOfScope && $0.gold == $0.best }.count
        // At least one row, or small validation sets could never reject anything.
        let allowedLoss = max(1, Int((inScopeLossBudget * Double(inScopeTotal)).rounded(.down)))
        var kept = correct
        var rejected = 0
        func objective() -> Double {
            Double(kept) / Double(inScopeTotal) + Double(rejected) / Double(max(outOfScopeTotal, 1))
        }
        var best = (score: objective(), threshold: 0.0)
        var start = 0
        while start < sorted.count {
            let confidence = sorted[start].confidence
            var end = start
            while end < sorted.count, sorted[end].confidence == confidence {
                if sorted[end].gold == outOfScope {
                    rejected += 1
                } else if sorted[end].gold == sorted[end].best {
                    kept -= 1
                }
                end += 1
            }
            guard correct - kept <= allowedLoss else { break }
            // Halfway to the next confidence leaves equal room for drift on both sides.
            let next = end < sorted.count ? sorted[end].confidence : 1
            let score = objective()
            if outOfScopeTotal == 0 || score > best.score {
                best = (score, (confidence + next) / 2)
            }
            start = end
        }
        return best.threshold
    }

    private static func ratio(_ part: Int, _ whole: Int) -> Double {
        whole > 0 ? Double(part) / Double(whole) : 0
    }

    private struct Pair: Hashable {
        var gold: String
        var predicted: String
    }
}

/// The threshold-independent part of one prediction, against the row's gold label.
struct ThresholdOutcome: Sendable, Hashable {
    /// The right label.
    var gold: String
    /// The most probable in-scope intent.
    var best: String
    /// Its probability.
    var confidence: Double
}
