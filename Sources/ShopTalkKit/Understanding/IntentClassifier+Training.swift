import Foundation

/// Settings of the training pipeline; the defaults are the ones measured best on public intent data sets.
struct IntentTrainingOptions: Sendable {
    /// Which n-grams are extracted.
    var features = TextFeatures()
    /// Feature keys seen in fewer training messages are dropped.
    var minimumDocuments = 1
    /// Relative weight of word n-grams, character n-grams and word pairs.
    var groupWeights: [Float] = [1, 1.5, 1]
    /// The linear solver.
    var solver = LinearSVM()
    /// Folds of the cross-validation that fits the temperature and the default threshold.
    var calibrationFolds = 5
    /// Held-out rows that are enough for calibration; large data sets hold out only as many folds as needed.
    var calibrationRows = 3000
    /// Threshold used when the training set is too small to cross-validate.
    var fallbackThreshold = 0.5
    /// Length of the sentence-embedding part of a vector relative to the n-gram part, when embeddings are given.
    var embeddingWeight: Float = 1
}

extension IntentClassifier {
    /// Trains with explicit `options`, with a sentence embedding of every row in `embeddings` when given.
    init(training: [IntentExample], embeddings: [[Float]]? = nil, options: IntentTrainingOptions) {
        precondition(embeddings == nil || embeddings?.count == training.count, "one embedding per training row")
        let inScope = Set(training.map(\.intent)).subtracting([Self.outOfScope]).sorted()
        let hasOutOfScope = training.contains { $0.intent == Self.outOfScope }
        let labels = inScope + (hasOutOfScope ? [Self.outOfScope] : [])
        let positions = Dictionary(uniqueKeysWithValues: labels.enumerated().map { ($1, $0) })
        let targets = training.map { positions[$0.intent] ?? 0 }
        let features = options.features
        let texts = training.map(\.text)
        let counts = Parallel.map(count: texts.count) { features.counts(of: texts[$0]) }
        let vocabulary = FeatureVocabulary(
            documents: counts, minimumDocuments: options.minimumDocuments, groupWeights: options.groupWeights
        )
        let dimensions = embeddings?.first?.count ?? 0
        let vectors = counts.indices.map { row in
            Self.appending(
                embeddings?[row], to: vocabulary.vector(for: counts[row]), firstColumn: vocabulary.count,
                dimensions: dimensions, weight: options.embeddingWeight)
        }
        let featureCount = vocabulary.count + dimensions
        let (heldOut, warmStart) = Self.crossValidatedScores(
            vectors: vectors, targets: targets, classCount: labels.count, featureCount: featureCount,
            options: options
        )
        let temperature = Self.fittedTemperature(heldOut)
        let model = options.solver.train(
            rows: SparseRows(vectors), labels: targets, classCount: labels.count, featureCount: featureCount,
            warmStart: warmStart
        ).model
        var classifier = IntentClassifier(
            labels: labels, inScopeCount: inScope.count, features: features, vocabulary: vocabulary,
            model: QuantizedWeights(model),
            temperature: temperature, threshold: options.fallbackThreshold
        )
        classifier.embeddingDimensions = dimensions
        classifier.embeddingWeight = options.embeddingWeight
        let outcomes = heldOut.map { scores, target in
            classifier.outcome(probabilities: Self.softmax(scores, temperature: temperature), gold: labels[target])
        }
        if let tuned = IntentEvaluation.bestThreshold(outcomes) {
            classifier.threshold = tuned
        }
        self = classifier
    }

    /// The threshold-independent part of a prediction, for sweeping thresholds.
    func outcome(probabilities: [Double], gold: String) -> ThresholdOutcome {
        var best = 0
        for label in 0..<inScopeCount where probabilities[label] > probabilities[best] {
            best = label
        }
        let confidence = inScopeCount > 0 ? probabilities[best] : 0
        let intent = inScopeCount > 0 ? labels[best] : Self.outOfScope
        return ThresholdOutcome(gold: gold, best: intent, confidence: confidence)
    }

    /// Scores of held-out training rows from models that did not see them, with each row's class, and the dual
    /// variables of the first fold's model laid out over all rows, to warm-start the final training.
    private static func crossValidatedScores(
        vectors: [SparseVector], targets: [Int], classCount: Int, featureCount: Int, options: IntentTrainingOptions
    ) -> (heldOut: [(scores: [Float], target: Int)], warmStart: [Float]?) {
        let folds = options.calibrationFolds
        guard folds > 1, classCount > 1, vectors.count >= folds * 2 else { return ([], nil) }
        let assignment = foldAssignment(targets: targets, classCount: classCount, folds: folds)
        let foldSize = vectors.count / folds
        let usedFolds = min(folds, (options.calibrationRows + foldSize - 1) / foldSize)
        var heldOut: [(scores: [Float], target: Int)] = []
        var warmStart: [Float]?
        for fold in 0..<usedFolds {
            let training = vectors.indices.filter { assignment[$0] != fold }
            let solution = options.solver.train(
                rows: SparseRows(training.map { vectors[$0] }), labels: training.map { targets[$0] },
                classCount: classCount, featureCount: featureCount
            )
            for row in vectors.indices where assignment[row] == fold {
                heldOut.append((solution.model.scores(for: vectors[row]), targets[row]))
            }
            if fold == 0 {
                var dual = [Float](repeating: 0, count: vectors.count * classCount)
                for (position, row) in training.enumerated() {
                    let source = position * classCount
                    dual.replaceSubrange(
                        row * classCount..<(row + 1) * classCount, with: solution.dual[source..<source + classCount]
                    )
                }
                warmStart = dual
            }
        }
        return (heldOut, warmStart)
    }

    /// Stratified folds: each class's rows, in a fixed pseudo-random order, dealt round-robin.
    static func foldAssignment(targets: [Int], classCount: Int, folds: Int) -> [Int] {
        var byClass = [[Int]](repeating: [], count: classCount)
        for (row, target) in targets.enumerated() {
            byClass[target].append(row)
        }
        var random = SplitMix64(seed: 0xF01D)
        var assignment = [Int](repeating: 0, count: targets.count)
        var next = 0
        for var rows in byClass {
            random.shuffle(&rows, count: rows.count)
            for row in rows {
                assignment[row] = next % folds
                next += 1
            }
        }
        return assignment
    }

    /// The softmax temperature minimising the negative log-likelihood of the held-out rows.
    private static func fittedTemperature(_ heldOut: [(scores: [Float], target: Int)]) -> Double {
        let fallback = 0.1
        guard !heldOut.isEmpty else { return fallback }
        func loss(_ logTemperature: Double) -> Double {
            let temperature = exp(logTemperature)
            var total = 0.0
            for (scores, target) in heldOut {
                let largest = Double(scores.max() ?? 0)
                let sum = scores.reduce(0.0) { $0 + exp((Double($1) - largest) / temperature) }
                total += log(sum) - (Double(scores[target]) - largest) / temperature
            }
            return total
        }
        // Golden-section search; the loss is unimodal in the log temperature.
        var low = log(0.005)
        var high = log(5.0)
        let ratio = (5.0.squareRoot() - 1) / 2
        var first = high - ratio * (high - low)
        var second = low + ratio * (high - low)
        var firstLoss = loss(first)
        var secondLoss = loss(second)
        for _ in 0..<40 {
            if firstLoss < secondLoss {
                high = second
                second = first
                secondLoss = firstLoss
                first = high - ratio * (high - low)
                firstLoss = loss(first)
            } else {
                low = first
                first = second
                firstLoss = secondLoss
                second = low + ratio * (high - low)
                secondLoss = loss(second)
            }
        }
        return exp((low + high) / 2)
    }
}
