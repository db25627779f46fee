import Foundation
import Testing

@testable import ShopTalkKit

private let storeExamples: [IntentExample] = {
    let phrases: [String: [String]] = [
        "track_order": [
            "where is my order", "track my package", "has my order shipped yet", "when will my parcel arrive",
            "what's the status of my delivery", "my order hasn't arrived", "can you track order 1234 for me",
            "is my package on its way", "how long until my order gets here", "where's my shipment",
        ],
        "return_item": [
            "i want to return these shoes", "how do i send an item back", "can i get a refund for this jacket",
            "start a return for my order", "the shirt doesn't fit, can i return it", "what is your return policy",
            "i'd like my money back for the blender", "how do returns work", "return the headphones i bought",
            "i need to send back a damaged lamp",
        ],
        "store_hours": [
            "what time do you open", "when does the store close", "are you open on sunday",
            "what are your opening hours", "is the shop open late tonight", "hours for the downtown store",
            "when do you close on saturdays", "are you open on public holidays", "what time does the store open",
            "opening times please",
        ],
        "reset_password": [
            "i forgot my password", "reset my password", "i can't log in to my account", "how do i change my password",
            "my login isn't working", "password reset link please", "locked out of my account",
            "i need a new password", "help me sign in, forgot password", "can't remember my login details",
        ],
    ]
    var examples = phrases.keys.sorted().flatMap { intent in
        phrases[intent, default: []].map { IntentExample(text: $0, intent: intent) }
    }
    let unrelated = [
        "what's the weather like on mars", "tell me a joke about penguins", "who won the football match",
        "how tall is mount everest", "recommend a good sci-fi novel", "what is the capital of peru",
        "how do i bake sourdough bread", "play some jazz music",
    ]
    examples += unrelated.map { IntentExample(text: $0, intent: IntentClassifier.outOfScope) }
    return examples
}()

/// Trained once for the whole file: every test only reads it.
private let trainedClassifier = IntentClassifier(training: storeExamples)

@Suite("IntentClassifier")
struct IntentClassifierTests {
    let classifier = trainedClassifier

    @Test func learnsTheTrainingIntents() {
        #expect(classifier.intents == ["reset_password", "return_item", "store_hours", "track_order"])
        let unseen = [
            ("where is my parcel", "track_order"),
            ("i want a refund for the shoes", "return_item"),
            ("what time do you close today", "store_hours"),
            ("i forgot my login password", "reset_password"),
        ]
        for (text, intent) in unseen {
            #expect(classifier.predict(text).alternatives.first?.intent == intent, "\(text)")
        }
    }

    @Test func predictionsAreCalibratedAndRanked() {
        let prediction = classifier.predict("please reset my password")
        #expect(prediction.intent == "reset_password")
        #expect(prediction.alternatives.count == 3)
        #expect(prediction.confidence == prediction.alternatives[0].confidence)
        let confidences = prediction.alternatives.map(\.confidence)
        #expect(confidences == confidences.sorted(by: >))
        #expect(confidences.allSatisfy { (0...1).contains($0) })
        #expect(confidences.reduce(0, +) <= 1 + 1e-9)
    }

    @Test func answersOutOfScopeBelowTheThreshold() {
        #expect((0...1).contains(classifier.threshold))
        let prediction = classifier.predict("what is the boiling point of mercury")
        #expect(prediction.confidence < classifier.threshold)
        #expect(prediction.intent == IntentClassifier.outOfScope)
        #expect(!prediction.alternatives.isEmpty)

        var strict = classifier
        strict.threshold = 1.01
        #expect(strict.predict("track my package").intent == IntentClassifier.outOfScope)
        var lenient = classifier
        lenient.threshold = 0
        #expect(lenient.predict("what is the boiling point of mercury").intent != IntentClassifier.outOfScope)
    }

    @Test func handlesEmptyAndOddInput() {
        for text in ["", "   ", "?!", "ÉTAT DE MA COMMANDE ???", "🙂🙂"] {
            let prediction = classifier.predict(text)
            #expect((0...1).contains(prediction.confidence))
        }
        let empty = IntentClassifier(training: [])
        #expect(empty.intents.isEmpty)
        #expect(empty.predict("hello").intent == IntentClassifier.outOfScope)
    }

    @Test func trainingIsDeterministic() {
        let again = IntentClassifier(training: storeExamples)
        #expect(again.serialized() == classifier.serialized())
        #expect(again.threshold == classifier.threshold)
    }

    @Test func serializationRoundTripKeepsPredictions() throws {
        let blob = classifier.serialized()
        let loaded = try IntentClassifier(serialized: blob)
        #expect(loaded.intents == classifier.intents)
        #expect(loaded.threshold == classifier.threshold)
        for example in storeExamples {
            #expect(loaded.predict(example.text) == classifier.predict(example.text))
        }
        #expect(loaded.predict("something never seen before") == classifier.predict("something never seen before"))
        #expect(loaded.serialized() == blob)
    }

    @Test func corruptBlobsThrow() {
        let blob = classifier.serialized()
        var flipped = blob
        flipped[blob.count / 2] ^= 0x5A
        #expect(throws: IntentClassifierError.checksumMismatch) { try IntentClassifier(serialized: flipped) }
        #expect(throws: IntentClassifierError.self) { try IntentClassifier(serialized: blob.prefix(blob.count - 3)) }
        #expect(throws: IntentClassifierError.notAClassifier) { try IntentClassifier(serialized: Data("hello".utf8)) }
        #expect(throws: IntentClassifierError.notAClassifier) { try IntentClassifier(serialized: Data()) }
        var future = blob
        future[4] = 99
        #expect(throws: IntentClassifierError.unsupportedVersion(99)) { try IntentClassifier(serialized: future) }
        #expect(
            IntentClassifierError.checksumMismatch.description
                == IntentClassifierError.checksumMismatch
                .description.lowercased())
    }
}

@Suite("IntentEvaluation")
struct IntentEvaluationTests {
    @Test func computesTheFigures() {
        let gold = ["a", "a", "b", "b", "out_of_scope", "out_of_scope"]
        let predicted = ["a", "b", "b", "out_of_scope", "out_of_scope", "a"]
        let evaluation = IntentEvaluation(gold: gold, predicted: predicted, threshold: 0.4)
        #expect(evaluation.accuracy == 3.0 / 6)
        #expect(evaluation.inScopeAccuracy == 2.0 / 4)
        #expect(evaluation.outOfScopeRecall == 0.5)
        #expect(evaluation.outOfScopePrecision == 0.5)
        #expect(evaluation.perIntent["a"] == .init(precision: 0.5, recall: 0.5, f1: 0.5, support: 2))
        #expect(evaluation.macroF1 == 0.5)
        #expect(evaluation.confusions.count == 3)
        #expect(evaluation.confusions.allSatisfy { $0.count == 1 })
    }

    @Test func outOfScopeFiguresAreNilWithoutSuchRows() throws {
        let evaluation = IntentEvaluation(gold: ["a", "b"], predicted: ["a", "a"], threshold: 0.5)
        #expect(evaluation.outOfScopeRecall == nil)
        #expect(evaluation.outOfScopePrecision == nil)
        #expect(evaluation.confusions == [.init(gold: "b", predicted: "a", count: 1)])
        let json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(evaluation)) as? [String: Any]
        let keys = Set(json?.keys.map { $0 } ?? [])
        #expect(
            keys == [
                "accuracy", "in_scope_accuracy", "oos_recall", "oos_precision", "macro_f1", "threshold", "per_intent",
                "confusions", "intervals",
            ])
        #expect(json?["oos_recall"] is NSNull)
        let intervals = try #require(json?["intervals"] as? [String: Any])
        #expect(intervals["oos_recall"] is NSNull)
        let accuracy = IntentEvaluation.wilsonInterval(1, of: 2)
        let reported = try #require(intervals["accuracy"] as? [Double])
        #expect(reported.count == 2)
        #expect(abs(reported[0] - accuracy.lowerBound) < 1e-12 && abs(reported[1] - accuracy.upperBound) < 1e-12)
    }

    @Test func inScopeFiguresAreNilWithoutSuchRows() {
        let evaluation = IntentEvaluation(
            gold: ["out_of_scope", "out_of_scope"], predicted: ["out_of_scope", "greeting"], threshold: 0.5)
        #expect(evaluation.accuracy == 0.5)
        #expect(evaluation.inScopeAccuracy == nil)
        #expect(evaluation.macroF1 == nil)
        #expect(evaluation.intervals.inScopeAccuracy == nil)
        #expect(evaluation.outOfScopeRecall == 0.5)
    }

    @Test func wilsonIntervalsMatchTheFormulaAndStayInsideZeroToOne() {
        // 54 of 100: the textbook Wilson interval is 44.26% to 63.44%.
        let half = IntentEvaluation.wilsonInterval(54, of: 100)
        #expect(abs(half.lowerBound - 0.4426) < 0.0001)
        #expect(abs(half.upperBound - 0.6344) < 0.0001)
        let none = IntentEvaluation.wilsonInterval(0, of: 10)
        #expect(none.lowerBound == 0)
        #expect(abs(none.upperBound - 0.2775) < 0.0001)
        let all = IntentEvaluation.wilsonInterval(10, of: 10)
        #expect(all.upperBound == 1)
        #expect(abs(all.lowerBound - 0.7225) < 0.0001)
        #expect(IntentEvaluation.wilsonInterval(0, of: 0) == 0...1)
        let wide = IntentEvaluation.wilsonInterval(9, of: 10)
        let narrow = IntentEvaluation.wilsonInterval(900, of: 1000)
        #expect(narrow.upperBound - narrow.lowerBound < (wide.upperBound - wide.lowerBound) / 3)
    }

    @Test func mcnemarPValueIsTheTwoSidedBinomialTailOfTheDisagreements() {
        // Six disagreements all one way: 2 × (1/2)^6.
        #expect(abs(IntentEvaluation.mcnemarPValue(onlyFirst: 0, onlySecond: 6) - 2.0 / 64) < 1e-12)
        // One against five: 2 × (1 + 6) / 64.
        #expect(abs(IntentEvaluation.mcnemarPValue(onlyFirst: 5, onlySecond: 1) - 14.0 / 64) < 1e-12)
        #expect(IntentEvaluation.mcnemarPValue(onlyFirst: 5, onlySecond: 5) == 1)
        #expect(IntentEvaluation.mcnemarPValue(onlyFirst: 0, onlySecond: 0) == 1)
        // Thousands of disagreements stay finite: 400 against 600 is far from an even split.
        let lopsided = IntentEvaluation.mcnemarPValue(onlyFirst: 400, onlySecond: 600)
        #expect(lopsided > 0 && lopsided < 1e-9)
        #expect(lopsided == IntentEvaluation.mcnemarPValue(onlyFirst: 600, onlySecond: 400))
    }

    @Test func intervalsSurroundTheFigures() {
        let gold = ["a", "a", "b", "b", "out_of_scope", "out_of_scope"]
        let predicted = ["a", "b", "b", "out_of_scope", "out_of_scope", "a"]
        let evaluation = IntentEvaluation(gold: gold, predicted: predicted, threshold: 0.4)
        #expect(evaluation.intervals.accuracy == IntentEvaluation.wilsonInterval(3, of: 6))
        #expect(evaluation.intervals.inScopeAccuracy == IntentEvaluation.wilsonInterval(2, of: 4))
        #expect(evaluation.intervals.outOfScopeRecall == IntentEvaluation.wilsonInterval(1, of: 2))
        #expect(evaluation.intervals.outOfScopePrecision == IntentEvaluation.wilsonInterval(1, of: 2))
        #expect(evaluation.intervals.accuracy.contains(evaluation.accuracy))
    }

    @Test func calibratesAThresholdOnHeldOutRows() {
        let classifier = trainedClassifier
        let validation = [
            IntentExample(text: "where is my parcel", intent: "track_order"),
            IntentExample(text: "send back my order for a refund", intent: "return_item"),
            IntentExample(text: "are you open tomorrow morning", intent: "store_hours"),
            IntentExample(text: "i lost my password", intent: "reset_password"),
            IntentExample(text: "who painted the mona lisa", intent: IntentClassifier.outOfScope),
            IntentExample(text: "how many legs does a spider have", intent: IntentClassifier.outOfScope),
        ]
        let threshold = IntentEvaluation.calibratedThreshold(for: classifier, on: validation)
        #expect((0...1).contains(threshold))
        var tuned = classifier
        tuned.threshold = threshold
        let evaluation = IntentEvaluation(classifier: tuned, examples: validation)
        #expect(evaluation.inScopeAccuracy == 1)
        #expect(evaluation.outOfScopeRecall == 1)
    }
}

/// A fixed sample of the public CLINC150 data, so that accuracy regressions show up in ordinary test runs.
@Suite("IntentClassifier on CLINC150 sample")
struct IntentClassifierRegressionTests {
    /// `../shared/data/clinc150` from the repository root that holds this file.
    static let dataDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("../shared/data/clinc150").standardizedFileURL

    static var hasData: Bool {
        FileManager.default.fileExists(atPath: dataDirectory.appendingPathComponent("train.csv").path)
    }

    @Test(.enabled(if: hasData, "the shared CLINC150 data is not present"))
    func accuracyStaysAboveTheMeasuredFloor() throws {
        let train = try Self.sample("train.csv", perIntent: 20, outOfScope: 30)
        let validation = try Self.sample("val.csv", perIntent: 10, outOfScope: 60)
        let classifier = IntentClassifier(training: train)
        let evaluation = IntentEvaluation(classifier: classifier, examples: validation)
        // Measured: in-scope 0.987 (150 rows), out-of-scope recall 0.533 (60 rows); the floors leave a margin
        // for harmless changes while catching a broken feature or solver.
        #expect(evaluation.inScopeAccuracy ?? 0 >= 0.93)
        #expect((evaluation.outOfScopeRecall ?? 0) >= 0.40)
    }

    /// Every tenth intent in name order (15 of 150), the first rows of each, and the first out-of-scope rows.
    static func sample(_ file: String, perIntent: Int, outOfScope: Int) throws -> [IntentExample] {
        let text = try String(contentsOf: dataDirectory.appendingPathComponent(file), encoding: .utf8)
        let rows = parseCSV(text).dropFirst().filter { $0.count == 2 }
        let intents = Set(rows.map { $0[1] }).subtracting([IntentClassifier.outOfScope]).sorted()
        let chosen = Set(stride(from: 0, to: intents.count, by: 10).map { intents[$0] })
        var taken: [String: Int] = [:]
        return rows.compactMap { row in
            let intent = row[1]
            let limit = intent == IntentClassifier.outOfScope ? outOfScope : perIntent
            guard chosen.contains(intent) || intent == IntentClassifier.outOfScope else { return nil }
            taken[intent, default: 0] += 1
            return taken[intent, default: 0] <= limit ? IntentExample(text: row[0], intent: intent) : nil
        }
    }

    /// Minimal RFC 4180 reading: quoted fields may hold commas and doubled quotes.
    static func parseCSV(_ text: String) -> [[String]] {
        var records: [[String]] = []
        var record: [String] = []
        var field = ""
        var quoted = false
        var previousWasQuote = false
        for character in text {
            if quoted {
                if character == "\"" {
                    quoted = false
                    previousWasQuote = true
                } else {
                    field.append(character)
                }
                continue
            }
            switch character {
            case "\"":
                if previousWasQuote { field.append("\"") }
                quoted = true
            case ",":
                record.append(field)
                field = ""
            case "\n", "\r\n":
                record.append(field)
                records.append(record)
                record = []
                field = ""
            default:
                field.append(character)
            }
            previousWasQuote = false
        }
        if !field.isEmpty || !record.isEmpty {
            record.append(field)
            records.append(record)
        }
        return records
    }
}
