import Foundation
import ShopTalkKit

/// `shoptalk eval intents DATA.csv [--train FILE.csv] [--calibrate VAL.csv] [--report FILE] [--errors FILE.csv]
/// [--save-threshold] [--folds K]`.
enum EvalCommand {
    static func run(_ arguments: [String], _ global: GlobalOptions) throws -> Int32 {
        guard arguments.first == "intents" else { throw UsageError("eval takes 'intents DATA.csv'") }
        var data: String?
        var train: String?
        var calibrate: String?
        var report: String?
        var errors: String?
        var save = false
        var folds: Int?
        var iterator = arguments.dropFirst().makeIterator()
        func value(_ flag: String) throws -> String {
            guard let value = iterator.next() else { throw UsageError("\(flag) needs a file") }
            return value
        }
        while let argument = iterator.next() {
            switch argument {
            case "--train": train = try value(argument)
            case "--calibrate": calibrate = try value(argument)
            case "--report": report = try value(argument)
            case "--errors": errors = try value(argument)
            case "--save-threshold": save = true
            case "--folds":
                guard let count = Int(try value(argument)), count >= 2 else {
                    throw UsageError("--folds takes a whole number of at least 2")
                }
                folds = count
            case let flag where flag.hasPrefix("-"): throw UsageError("unknown option '\(flag)' for eval intents")
            default:
                guard data == nil else { throw UsageError("eval intents takes one DATA.csv") }
                data = argument
            }
        }
        guard let data else { throw UsageError("eval intents needs a DATA.csv to classify") }
        if let folds {
            return try crossValidate(URL(fileURLWithPath: data), folds: folds, report: report, errors: errors)
        }
        let workspace = try? global.workspaceURL()
        let trainURL =
            try train.map { URL(fileURLWithPath: $0) }
            ?? workspace.map { $0.appendingPathComponent("intents.csv") }
            ?? { throw UsageError("no workspace to take intents.csv from: pass --train FILE.csv") }()

        let started = ContinuousClock.now
        var classifier = IntentClassifier(training: try IntentExample.load(from: trainURL))
        let trainingTime = ContinuousClock.now - started
        if let calibrate {
            classifier.threshold = IntentEvaluation.calibratedThreshold(
                for: classifier, on: try IntentExample.load(from: URL(fileURLWithPath: calibrate)))
        } else if let workspace, train == nil,
            let configured = try? WorkspaceConfig.load(from: workspace.appendingPathComponent("shoptalk.json"))
                .understanding.threshold
        {
            classifier.threshold = configured
        }
        let examples = try IntentExample.load(from: URL(fileURLWithPath: data))
        let predictions = examples.map { classifier.predict($0.text) }
        let evaluation = IntentEvaluation(
            gold: examples.map(\.intent), predicted: predictions.map(\.intent), threshold: classifier.threshold)

        print(summary(evaluation, rows: examples.count, trainedOn: trainURL.path, trainingTime: trainingTime))
        guard
            try writeOutputs(
                evaluation, examples: examples, predictions: predictions, report: report, errors: errors)
        else { return 3 }
        if save {
            guard let workspace else { throw UsageError("--save-threshold needs a workspace") }
            try saveThreshold(classifier.threshold, in: workspace.appendingPathComponent("shoptalk.json"))
            print(
                String(
                    format: "threshold %.4f saved to %@ (understanding.threshold)", classifier.threshold,
                    workspace.appendingPathComponent("shoptalk.json").path))
        }
        return 0
    }

    static func summary(_ evaluation: IntentEvaluation, rows: Int, trainedOn: String, trainingTime: Duration) -> String
    {
        func percent(_ value: Double?) -> String { value.map { String(format: "%.2f%%", $0 * 100) } ?? "n/a" }
        var lines = [
            "trained on \(trainedOn) in \(trainingTime.formatted(.units(allowed: [.seconds, .milliseconds], width: .narrow)))",
            "rows: \(rows)   threshold: \(String(format: "%.4f", evaluation.threshold))",
            "accuracy: \(percent(evaluation.accuracy))   in-scope accuracy: \(percent(evaluation.inScopeAccuracy))"
                + "   macro F1: \(percent(evaluation.macroF1))",
            "out-of-scope recall: \(percent(evaluation.outOfScopeRecall))"
                + "   out-of-scope precision: \(percent(evaluation.outOfScopePrecision))",
        ]
        let worst = evaluation.perIntent.filter { $0.value.support > 0 }.sorted {
            ($0.value.f1, $0.key) < ($1.value.f1, $1.key)
        }.prefix(5)
        if !worst.isEmpty {
            lines.append("worst intents (F1):")
            for (intent, metrics) in worst {
                lines.append(
                    String(
                        format: "  %-28@ F1 %.3f  precision %.3f  recall %.3f  support %d",
                        intent, metrics.f1, metrics.precision, metrics.recall, metrics.support))
            }
        }
        if !evaluation.confusions.isEmpty {
            lines.append("most confused (gold → predicted):")
            for confusion in evaluation.confusions.prefix(8) {
                lines.append("  \(confusion.gold) → \(confusion.predicted): \(confusion.count)")
            }
        }
        return lines.joined(separator: "\n")
    }

    /// Sets `understanding.threshold` in shoptalk.json, keeping every other setting.
    private static func saveThreshold(_ threshold: Double, in url: URL) throws {
        guard var object = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any] else {
            throw WorkspaceError.malformed(file: url.path, line: 1, expected: "a JSON object")
        }
        var understanding = object["understanding"] as? [String: Any] ?? [:]
        understanding["threshold"] = (threshold * 10_000).rounded() / 10_000
        object["understanding"] = understanding
        let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
        try (data + Data("\n".utf8)).write(to: url, options: .atomic)
    }

    /// K-fold cross-validation on one file: each row is scored by a model that never saw it. Folds are
    /// stratified and deterministic: the n-th row of each intent goes to fold n mod K.
    private static func crossValidate(_ url: URL, folds: Int, report: String?, errors: String?) throws -> Int32 {
        let examples = try IntentExample.load(from: url)
        var seen: [String: Int] = [:]
        let fold = examples.map { example -> Int in
            defer { seen[example.intent, default: 0] += 1 }
            return seen[example.intent, default: 0] % folds
        }
        var scored: [IntentExample] = []
        var predictions: [IntentPrediction] = []
        let started = ContinuousClock.now
        var threshold = 0.0
        for index in 0..<folds {
            let training = zip(examples, fold).filter { $0.1 != index }.map(\.0)
            let held = zip(examples, fold).filter { $0.1 == index }.map(\.0)
            let classifier = IntentClassifier(training: training)
            threshold += classifier.threshold / Double(folds)
            scored += held
            predictions += held.map { classifier.predict($0.text) }
            print("fold \(index + 1) of \(folds): \(held.count) rows")
        }
        let evaluation = IntentEvaluation(
            gold: scored.map(\.intent), predicted: predictions.map(\.intent), threshold: threshold)
        print(
            summary(
                evaluation, rows: examples.count, trainedOn: "\(folds) folds of \(url.path)",
                trainingTime: ContinuousClock.now - started))
        return try writeOutputs(
            evaluation, examples: scored, predictions: predictions, report: report, errors: errors) ? 0 : 3
    }

    /// Writes the JSON report and the CSV of wrongly labelled rows (`text,intent,predicted,confidence`) where
    /// asked; false, with the reason reported, when a file cannot be written.
    private static func writeOutputs(
        _ evaluation: IntentEvaluation, examples: [IntentExample], predictions: [IntentPrediction],
        report: String?, errors: String?
    ) throws -> Bool {
        func write(_ data: Data, to path: String, _ what: String) -> Bool {
            do {
                try data.write(to: URL(fileURLWithPath: path), options: .atomic)
                print("\(what) written to \(path)")
                return true
            } catch {
                ShopTalkCommand.report("cannot write \(path): check that its directory exists and is writable")
                return false
            }
        }
        if let report {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            guard write(try encoder.encode(evaluation), to: report, "report") else { return false }
        }
        if let errors {
            func field(_ value: String) -> String {
                guard value.contains(where: { $0 == "," || $0 == "\"" || $0.isNewline }) else { return value }
                return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
            }
            var lines = ["text,intent,predicted,confidence"]
            for (example, prediction) in zip(examples, predictions) where example.intent != prediction.intent {
                lines.append(
                    [
                        field(example.text), field(example.intent), field(prediction.intent),
                        String(format: "%.3f", prediction.confidence),
                    ].joined(separator: ","))
            }
            let text = lines.joined(separator: "\n") + "\n"
            guard write(Data(text.utf8), to: errors, "\(lines.count - 1) wrongly labelled rows") else { return false }
        }
        return true
    }
}
