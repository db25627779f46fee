import Foundation

/// One labelled training or evaluation utterance.
public struct IntentExample: Sendable, Hashable {
    /// What the customer wrote.
    public var text: String
    /// Its label, possibly `IntentClassifier.outOfScope`.
    public var intent: String

    public init(text: String, intent: String) {
        self.text = text
        self.intent = intent
    }
}

/// An in-scope intent with its probability.
public struct IntentScore: Sendable, Hashable, Codable {
    /// An in-scope intent.
    public var intent: String
    /// Its calibrated probability, in 0...1.
    public var confidence: Double

    public init(intent: String, confidence: Double) {
        self.intent = intent
        self.confidence = confidence
    }
}

/// What the classifier concluded about one message.
public struct IntentPrediction: Sendable, Hashable, Codable {
    /// The chosen intent, or `IntentClassifier.outOfScope`.
    public var intent: String
    /// Calibrated probability of the top in-scope intent, in 0...1.
    public var confidence: Double
    /// The top three in-scope intents with their probabilities, best first.
    public var alternatives: [IntentScore]

    public init(intent: String, confidence: Double, alternatives: [IntentScore]) {
        self.intent = intent
        self.confidence = confidence
        self.alternatives = alternatives
    }
}

/// Recognises the intent of a customer message with a one-vs-rest linear SVM over TF-IDF weighted word
/// n-grams, word pairs and character n-grams.
///
/// Scores become probabilities through a softmax whose temperature is fitted on cross-validated predictions
/// of the training data, so `threshold` reads as a probability. The default threshold comes from the same
/// held-out predictions, chosen as `IntentEvaluation.calibratedThreshold(for:on:)` would choose it.
public struct IntentClassifier: Sendable {
    /// The label of messages the classifier should not answer.
    public static let outOfScope = "out_of_scope"

    /// Below this probability of the best in-scope intent, `predict` answers `outOfScope`.
    public var threshold: Double

    /// The in-scope labels known, sorted.
    public var intents: [String] {
        Array(labels.prefix(inScopeCount))
    }

    /// Class labels: the in-scope intents sorted, then `outOfScope` when training had such rows.
    var labels: [String]
    /// How many of `labels` are in scope.
    var inScopeCount: Int
    /// How messages become n-gram counts.
    var features: TextFeatures
    /// How n-gram counts become weighted vectors.
    var vocabulary: FeatureVocabulary
    /// The per-class scorers.
    var model: QuantizedWeights
    /// Softmax temperature applied to the raw scores.
    var temperature: Double
    /// Length of the sentence embeddings the classifier was trained with, 0 when it uses n-grams alone.
    ///
    /// An embedding becomes that many extra columns after the n-gram columns: L2-normalised and scaled by
    /// `embeddingWeight`, next to n-gram features whose vector has unit length.
    public internal(set) var embeddingDimensions: Int = 0
    /// The length of the embedding columns relative to the n-gram part of a vector.
    var embeddingWeight: Float = 1

    /// Trains on `training`; rows labelled `outOfScope` become a class of their own that competes for probability.
    ///
    /// - Parameters:
    ///   - embeddings: a sentence embedding of every training row, in order, from an embeddings backend; they
    ///     join the n-gram features, and `predict` then wants the embedding of each message too.
    ///   - embeddingWeight: the length of the embedding part of a vector relative to the n-gram part.
    public init(training: [IntentExample], embeddings: [[Float]]? = nil, embeddingWeight: Float = 1) {
        var options = IntentTrainingOptions()
        options.embeddingWeight = embeddingWeight
        self.init(training: training, embeddings: embeddings, options: options)
    }

    /// Assembles a classifier from trained parts.
    init(
        labels: [String], inScopeCount: Int, features: TextFeatures, vocabulary: FeatureVocabulary,
        model: QuantizedWeights, temperature: Double, threshold: Double
    ) {
        self.labels = labels
        self.inScopeCount = inScopeCount
        self.features = features
        self.vocabulary = vocabulary
        self.model = model
        self.temperature = temperature
        self.threshold = threshold
    }

    /// The best in-scope intent, or `outOfScope` when its probability is below `threshold`.
    ///
    /// A classifier trained with embeddings wants `embedding`, the message's embedding from the same backend;
    /// without one it scores the n-gram features alone, a little less accurately.
    public func predict(_ text: String, embedding: [Float]? = nil) -> IntentPrediction {
        let probabilities = probabilities(for: text, embedding: embedding)
        let ranked = (0..<inScopeCount).sorted { first, second in
            probabilities[first] != probabilities[second]
                ? probabilities[first] > probabilities[second]
                : first < second
        }
        let alternatives = ranked.prefix(3).map { IntentScore(intent: labels[$0], confidence: probabilities[$0]) }
        guard let best = alternatives.first else {
            return IntentPrediction(intent: Self.outOfScope, confidence: 0, alternatives: [])
        }
        let intent = best.confidence >= threshold ? best.intent : Self.outOfScope
        return IntentPrediction(intent: intent, confidence: best.confidence, alternatives: alternatives)
    }

    /// Probability of every class, out-of-scope included, for `text`.
    func probabilities(for text: String, embedding: [Float]? = nil) -> [Double] {
        let vector = Self.appending(
            embedding, to: vocabulary.vector(for: features.counts(of: text)), firstColumn: vocabulary.count,
            dimensions: embeddingDimensions, weight: embeddingWeight)
        return Self.softmax(model.scores(for: vector), temperature: temperature)
    }

    /// `vector` followed by `embedding`, L2-normalised and scaled by `weight`, in the `dimensions` columns from
    /// `firstColumn`; `vector` unchanged when there is no usable embedding.
    static func appending(
        _ embedding: [Float]?, to vector: SparseVector, firstColumn: Int, dimensions: Int, weight: Float
    ) -> SparseVector {
        guard dimensions > 0, let embedding, embedding.count == dimensions else { return vector }
        let norm = embedding.reduce(0) { $0 + $1 * $1 }.squareRoot()
        guard norm > 0, norm.isFinite else { return vector }
        var result = vector
        result.indices.append(contentsOf: (0..<dimensions).map { Int32(firstColumn + $0) })
        result.values.append(contentsOf: embedding.map { $0 / norm * weight })
        return result
    }

    /// Numerically stable softmax of `scores / temperature`.
    static func softmax(_ scores: [Float], temperature: Double) -> [Double] {
        guard let largest = scores.max() else { return [] }
        let exponentials = scores.map { exp(Double($0 - largest) / temperature) }
        let total = exponentials.reduce(0, +)
        return exponentials.map { $0 / total }
    }
}
