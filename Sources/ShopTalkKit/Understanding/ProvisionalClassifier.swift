import Foundation

public struct IntentExample: Sendable, Hashable {
    public var text: String
    public var intent: String
    public init(text: String, intent: String) {
        self.text = text
        self.intent = intent
    }
}

public struct IntentScore: Sendable, Hashable, Codable {
    public var intent: String
    public var confidence: Double
}

public struct IntentPrediction: Sendable, Hashable, Codable {
    public var intent: String
    public var confidence: Double
    public var alternatives: [IntentScore]
}

public struct IntentClassifier: Sendable {
    public static let outOfScope = "out_of_scope"
    public var threshold: Double = 0.3
    public private(set) var intents: [String]
    private var counts: [String: [String: Double]] = [:]
    private var totals: [String: Double] = [:]

    public init(training: [IntentExample]) {
        intents = Array(Set(training.map(\.intent))).sorted()
        for example in training {
            for word in Self.words(example.text) {
                counts[example.intent, default: [:]][word, default: 0] += 1
                totals[example.intent, default: 0] += 1
            }
        }
    }

    static func words(_ text: String) -> [String] {
        text.lowercased().split { !($0.isLetter || $0.isNumber) }.map(String.init)
    }

    public func predict(_ text: String) -> IntentPrediction {
        let words = Self.words(text)
        var scores: [(String, Double)] = intents.map { intent in
            let total = totals[intent] ?? 1
            let score = words.reduce(0.0) { $0 + log(((counts[intent]?[$1] ?? 0) + 0.1) / (total + 100)) }
            return (intent, score)
        }
        let top = scores.map(\.1).max() ?? 0
        let sum = scores.reduce(0.0) { $0 + exp($1.1 - top) }
        scores = scores.map { ($0.0, exp($0.1 - top) / sum) }.sorted { $0.1 > $1.1 }
        let alternatives = scores.filter { $0.0 != Self.outOfScope }.prefix(3).map { IntentScore(intent: $0.0, confidence: $0.1) }
        let best = alternatives.first ?? IntentScore(intent: Self.outOfScope, confidence: 0)
        let intent = best.confidence < threshold || scores.first?.0 == Self.outOfScope ? Self.outOfScope : best.intent
        return IntentPrediction(intent: intent, confidence: best.confidence, alternatives: alternatives)
    }

    public func serialized() -> Data { Data() }
    public init(serialized: Data) throws { throw CocoaError(.fileReadCorruptFile) }
}
