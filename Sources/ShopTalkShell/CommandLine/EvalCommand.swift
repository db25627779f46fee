import Foundation
import ShopTalkKit
import Synchronization

/// `shoptalk eval intents DATA.csv [--train FILE.csv] [--calibrate VAL.csv] [--report FILE] [--errors FILE.csv]
/// [--baseline OLD.json] [--save-threshold] [--folds K] [--embeddings URL [--embeddings-model NAME] | --no-embeddings]`.
enum EvalCommand {
    static func run(_ arguments: [String], _ global: GlobalOptions) throws -> Int32 {
        guard arguments.first == "intents" else { throw UsageError("eval takes 'intents DATA.csv'") }
        var data: String?
        var train: String?
        var calibrate: String?
        var report: String?
        var errors: String?
        var baselinePath: String?
        var save = false
        var folds: Int?
        var embeddingsURL: String?
        var embeddingsModel: String?
        var useWorkspaceEmbeddings = true
        var iterator = arguments.dropFirst().makeIterator()
        func value(_ flag: String) throws -> String {
            guard let value = iterator.next() else { throw UsageError("\(flag) needs a value") }
            return value
        }
        while let argument = iterator.next() {
            switch argument {
            case "--train": train = try value(argument)
            case "--calibrate": calibrate = try value(argument)
            case "--report": report = try value(argument)
            case "--errors": errors = try value(argument)
            case "--baseline": baselinePath = try value(argument)
            case "--embeddings": embeddingsURL = try value(argument)
            case "--embeddings-model": embeddingsModel = try value(argument)
            case "--no-embeddings": useWorkspaceEmbeddings = false
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
        if save, train != nil {
            throw UsageError(
                "--save-threshold stores a threshold for the workspace's own intents.csv: it does not combine with"
                    + " --train")
        }
        if save, calibrate == nil {
            throw UsageError("--save-threshold needs --calibrate VAL.csv to pick the threshold")
        }
        if let embeddingsURL, URL(string: embeddingsURL).map({ $0.scheme == "http" || $0.scheme == "https" }) != true {
            throw UsageError(
                "--embeddings takes an http(s) URL such as http://127.0.0.1:8089/v1, not '\(embeddingsURL)'")
        }
        if folds != nil, train != nil || calibrate != nil || save {
            throw UsageError(
                "--folds cross-validates DATA.csv on its own: it does not combine with --train, --calibrate"
                    + " or --save-threshold")
        }
        for path in [report, errors].compactMap({ $0 }) where path != "-" {
            try checkWritable(path)
        }
        if errors == "-" { throw UsageError("--errors needs a file name; only --report can be - (standard output)") }
        if report == "-" { divertStandardOutput() }
        let baseline = try baselinePath.map { try EvalBaseline(path: $0) }
        // An explicit --workspace must exist; otherwise a workspace is optional when --train is given.
        let workspace = global.workspace != nil ? try global.workspaceURL() : try? global.workspaceURL()
        let workspaceConfig = try workspace.map { root -> WorkspaceConfig in
            let file = root.appendingPathComponent("shoptalk.json")
            guard FileManager.default.fileExists(atPath: file.path) else {
                throw WorkspaceError.notFound(path: root.path)
            }
            let config = try WorkspaceConfig.load(from: file)
            for warning in WorkspaceConfig.unknownKeys(in: (try? Data(contentsOf: file)) ?? Data(), file: file.path) {
                ShopTalkCommand.report("warning: " + warning)
            }
            return config
        }
        var settings = useWorkspaceEmbeddings ? workspaceConfig?.understanding.embeddings : nil
        if let embeddingsURL {
            settings = EmbeddingsConfig(baseURL: embeddingsURL, model: embeddingsModel ?? settings?.model ?? "default")
        } else if embeddingsModel != nil {
            throw UsageError("--embeddings-model goes with --embeddings URL")
        }
        let embedder = try settings.map {
            Embedder(
                client: try EmbeddingsClient(config: $0, environment: ProcessInfo.processInfo.environment),
                weight: Float($0.weight),
                store: try workspace.map {
                    let state = $0.appendingPathComponent(".shoptalk")
                    try FileManager.default.createDirectory(at: state, withIntermediateDirectories: true)
                    return try EmbeddingStore(path: state.appendingPathComponent("embeddings.sqlite").path)
                })
        }
        if let folds {
            return try crossValidate(
                URL(fileURLWithPath: data), folds: folds, embedder: embedder, baseline: baseline, report: report,
                errors: errors)
        }
        let trainURL =
            try train.map { URL(fileURLWithPath: $0) }
            ?? workspace.map { $0.appendingPathComponent("intents.csv") }
            ?? { throw UsageError("no workspace to take intents.csv from: pass --train FILE.csv") }()

        let training = try IntentExample.load(from: trainURL)
        let examples = try IntentExample.load(from: URL(fileURLWithPath: data))
        let fingerprint = EvalBaseline.fingerprint(of: examples)
        try baseline?.check(rows: examples.count, fingerprint: fingerprint, file: data)
        let validation = try calibrate.map { try IntentExample.load(from: URL(fileURLWithPath: $0)) }
        // Without out-of-scope examples any threshold only loses rows, so the search would climb to the top.
        if let calibrate, validation?.contains(where: { $0.intent == IntentClassifier.outOfScope }) == false {
            throw BadArgument(
                "\(calibrate): no rows labelled \(IntentClassifier.outOfScope); a threshold can only be calibrated"
                    + " against out-of-scope examples")
        }
        try embedder?.fetch(training + examples + (validation ?? []))

        let started = ContinuousClock.now
        var classifier = try embedder?.train(training) ?? IntentClassifier(training: training)
        let trainingTime = ContinuousClock.now - started
        if let validation {
            classifier.threshold = IntentEvaluation.calibratedThreshold(
                for: classifier, on: validation, embeddings: try embedder?.vectors(validation))
        } else if train == nil, let configured = workspaceConfig?.understanding.threshold {
            classifier.threshold = configured
        }
        warnAboutUnknownIntents(in: examples, file: data, known: classifier.intents)
        let predictions =
            try embedder?.predict(examples, with: classifier) ?? examples.map { classifier.predict($0.text) }
        let evaluation = IntentEvaluation(
            gold: examples.map(\.intent), predicted: predictions.map(\.intent), threshold: classifier.threshold)

        // Rows that also occur in the training file measure memory, not generalisation: say how many, and
        // what the figures are without them.
        let seen = Set(training.map { overlapKey($0.text) })
        let unseen = examples.indices.filter { !seen.contains(overlapKey(examples[$0].text)) }
        let shared = examples.count - unseen.count
        var extras: [String: Any] = [
            "data": URL(fileURLWithPath: data).path, "trained_on": trainURL.path, "rows_also_in_training": shared,
            "unseen": NSNull(), "rows_sha256": fingerprint,
        ]
        var notes: [String] = []
        if unseen.isEmpty {
            notes.append(
                "all \(examples.count) rows also occur in the training file: the figures measure memory, not generalisation"
            )
        } else if shared > 0 {
            let apart = IntentEvaluation(
                gold: unseen.map { examples[$0].intent }, predicted: unseen.map { predictions[$0].intent },
                threshold: classifier.threshold)
            notes.append(
                "\(shared) of \(examples.count) rows also occur in the training file (ignoring case and punctuation);"
                    + " on the other \(unseen.count): accuracy \(percent(apart.accuracy)),"
                    + " in-scope accuracy \(percent(apart.inScopeAccuracy)),"
                    + " out-of-scope recall \(percent(apart.outOfScopeRecall))")
            extras["unseen"] = [
                "rows": unseen.count, "accuracy": apart.accuracy,
                "in_scope_accuracy": apart.inScopeAccuracy as Any? ?? NSNull(),
                "oos_recall": apart.outOfScopeRecall as Any? ?? NSNull(),
            ]
        }
        guard
            try finish(
                evaluation, examples: examples, rowNumbers: examples.indices.map { $0 + 1 },
                predictions: predictions, trainedOn: trainURL.path, trainingTime: trainingTime, embedder: embedder,
                baseline: baseline, extras: extras, notes: notes, report: report, errors: errors)
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

    /// The in-scope accuracy of the most probable intent with no out-of-scope threshold, the figure published
    /// results on data without an out-of-scope class report.
    static func topIntentAccuracy(_ examples: [IntentExample], _ predictions: [IntentPrediction]) -> Double? {
        let inScope = zip(examples, predictions).filter { $0.0.intent != IntentClassifier.outOfScope }
        let right = inScope.filter { $0.1.alternatives.first?.intent == $0.0.intent }.count
        return inScope.isEmpty ? nil : Double(right) / Double(inScope.count)
    }

    /// A fraction as a percentage with two decimals, or `n/a`.
    static func percent(_ value: Double?) -> String {
        value.map { String(format: "%.2f%%", $0 * 100) } ?? "n/a"
    }

    /// A text with case, punctuation and spacing ignored, for finding evaluation rows that training also has.
    static func overlapKey(_ text: String) -> String {
        text.lowercased().split { !$0.isLetter && !$0.isNumber }.joined(separator: " ")
    }

    /// Warns about gold labels the classifier was never trained on, which can only be scored as mistakes.
    static func warnAboutUnknownIntents(in examples: [IntentExample], file: String, known: [String]) {
        let knownSet = Set(known + [IntentClassifier.outOfScope])
        var unknown: [String: Int] = [:]
        for example in examples where !knownSet.contains(example.intent) {
            unknown[example.intent, default: 0] += 1
        }
        for (intent, count) in unknown.sorted(by: { $0.key < $1.key }) {
            let nearest = known.min { EditDistance.between($0, intent) < EditDistance.between($1, intent) }
            let hint = nearest.map { EditDistance.between($0, intent) <= 3 ? " (did you mean '\($0)'?)" : "" } ?? ""
            ShopTalkCommand.report(
                "warning: \(file): \(count) row\(count == 1 ? "" : "s") labelled '\(intent)', an intent the training"
                    + " file does not have\(hint)")
        }
    }

    /// Where `--report -` writes the report: the process's standard output as it was before
    /// `divertStandardOutput()`.
    private static var reportOutput: FileHandle? {
        divertedOutput.withLock { $0 }.map { FileHandle(fileDescriptor: $0, closeOnDealloc: false) }
    }

    private static let divertedOutput = Mutex<Int32?>(nil)

    /// Sends everything printed from here on to standard error, keeping standard output for the report alone,
    /// so `--report - | jq .accuracy` reads nothing but JSON.
    private static func divertStandardOutput() {
        // Whatever is already buffered belongs to the old standard output.
        fflush(nil)
        let original = dup(STDOUT_FILENO)
        guard original >= 0, dup2(STDERR_FILENO, STDOUT_FILENO) >= 0 else { return }
        divertedOutput.withLock { $0 = original }
    }

    /// Fails before any work when `path` cannot be written: it is a directory, or its directory is missing.
    static func checkWritable(_ path: String) throws {
        let manager = FileManager.default
        guard !path.isEmpty else { throw BadArgument("an output file name is empty") }
        guard !path.hasSuffix("/") else { throw BadArgument("cannot write \(path): it names a directory, not a file") }
        var isDirectory: ObjCBool = false
        if manager.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw BadArgument("cannot write \(path): it is a directory")
        }
        let parent = URL(fileURLWithPath: path).deletingLastPathComponent().path
        guard manager.fileExists(atPath: parent, isDirectory: &isDirectory) else {
            throw BadArgument("cannot write \(path): the directory \(parent) does not exist")
        }
        guard isDirectory.boolValue else { throw BadArgument("cannot write \(path): \(parent) is a file") }
        guard manager.isWritableFile(atPath: parent) else {
            throw BadArgument("cannot write \(path): the directory \(parent) is not writable")
        }
    }

    static func summary(_ evaluation: IntentEvaluation, rows: Int, trainedOn: String, trainingTime: Duration) -> String
    {
        var lines = [
            "trained on \(trainedOn) in \(trainingTime.formatted(.units(allowed: [.seconds, .milliseconds], width: .narrow)))",
            "rows: \(rows)   threshold: \(String(format: "%.4f", evaluation.threshold))",
            "accuracy: \(percent(evaluation.accuracy))   in-scope accuracy: \(percent(evaluation.inScopeAccuracy))"
                + "   macro F1: \(percent(evaluation.macroF1))",
            "out-of-scope recall: \(percent(evaluation.outOfScopeRecall))"
                + "   out-of-scope precision: \(percent(evaluation.outOfScopePrecision))",
            intervalLine(evaluation.intervals),
        ]
        let worst = evaluation.perIntent.filter { $0.value.support > 0 }.sorted {
            ($0.value.f1, $0.key) < ($1.value.f1, $1.key)
        }.prefix(5)
        if !worst.isEmpty {
            lines.append("worst intents (F1):")
            let width = worst.map(\.key.count).max() ?? 0
            for (intent, metrics) in worst {
                let name = intent.padding(toLength: width, withPad: " ", startingAt: 0)
                lines.append(
                    "  \(name)"
                        + String(
                            format: " F1 %.3f  precision %.3f  recall %.3f  support %d",
                            metrics.f1, metrics.precision, metrics.recall, metrics.support))
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

    /// The 95% intervals of the headline figures, on one line.
    static func intervalLine(_ intervals: IntentEvaluation.Intervals) -> String {
        func span(_ range: ClosedRange<Double>) -> String {
            String(format: "%.2f–%.2f%%", range.lowerBound * 100, range.upperBound * 100)
        }
        var parts = [
            "accuracy \(span(intervals.accuracy))"
        ]
        if let inScope = intervals.inScopeAccuracy {
            parts.append("in-scope accuracy \(span(inScope))")
        }
        if let recall = intervals.outOfScopeRecall {
            parts.append("out-of-scope recall \(span(recall))")
        }
        if let precision = intervals.outOfScopePrecision {
            parts.append("precision \(span(precision))")
        }
        return "95% intervals: " + parts.joined(separator: ", ")
    }

    /// Sets `understanding.threshold` in shoptalk.json, keeping every other setting and, where it can, the file's
    /// own layout: only the number changes, or one key is inserted.
    private static func saveThreshold(_ threshold: Double, in url: URL) throws {
        let data = try Data(contentsOf: url)
        guard var object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw WorkspaceError.malformed(file: url.path, line: 1, expected: "a JSON object")
        }
        let value = (threshold * 10_000).rounded() / 10_000
        let text = String(decoding: data, as: UTF8.self)
        if let edited = JSONEdit.settingNumber(value, at: ["understanding", "threshold"], in: text),
            let check = try? JSONSerialization.jsonObject(with: Data(edited.utf8)) as? [String: Any],
            (check["understanding"] as? [String: Any])?["threshold"] as? Double == value
        {
            try Data(edited.utf8).write(to: url, options: .atomic)
            return
        }
        var understanding = object["understanding"] as? [String: Any] ?? [:]
        understanding["threshold"] = value
        object["understanding"] = understanding
        let rewritten = try JSONSerialization.data(
            withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        try (rewritten + Data("\n".utf8)).write(to: url, options: .atomic)
    }

    /// K-fold cross-validation on one file: each row is scored by a model that never saw it. Folds are
    /// stratified and deterministic: the n-th row of each intent goes to fold n mod K.
    private static func crossValidate(
        _ url: URL, folds: Int, embedder: Embedder?, baseline: EvalBaseline?, report: String?, errors: String?
    ) throws -> Int32 {
        let examples = try IntentExample.load(from: url)
        let fingerprint = EvalBaseline.fingerprint(of: examples)
        try baseline?.check(rows: examples.count, fingerprint: fingerprint, file: url.path)
        var seen: [String: Int] = [:]
        let fold = examples.map { example -> Int in
            defer { seen[example.intent, default: 0] += 1 }
            return seen[example.intent, default: 0] % folds
        }
        let largest = seen.values.max() ?? 0
        guard folds <= largest else {
            throw BadArgument(
                "--folds \(folds): no intent of \(url.path) has more than \(largest) rows, so the folds past \(largest)"
                    + " would be empty")
        }
        try embedder?.fetch(examples)
        var scored: [IntentExample] = []
        var rowNumbers: [Int] = []
        var predictions: [IntentPrediction] = []
        let started = ContinuousClock.now
        var threshold = 0.0
        for index in 0..<folds {
            let training = zip(examples, fold).filter { $0.1 != index }.map(\.0)
            let heldRows = examples.indices.filter { fold[$0] == index }
            let held = heldRows.map { examples[$0] }
            rowNumbers += heldRows.map { $0 + 1 }
            let classifier = try embedder?.train(training) ?? IntentClassifier(training: training)
            threshold += classifier.threshold / Double(folds)
            scored += held
            predictions += try embedder?.predict(held, with: classifier) ?? held.map { classifier.predict($0.text) }
            print("fold \(index + 1) of \(folds): \(held.count) rows")
        }
        let evaluation = IntentEvaluation(
            gold: scored.map(\.intent), predicted: predictions.map(\.intent), threshold: threshold)
        return try finish(
            evaluation, examples: scored, rowNumbers: rowNumbers, predictions: predictions,
            trainedOn: "\(folds) folds of \(url.path)", trainingTime: ContinuousClock.now - started, embedder: embedder,
            baseline: baseline,
            extras: ["data": url.path, "folds": folds, "rows_sha256": fingerprint],
            notes: [], report: report, errors: errors)
            ? 0 : 3
    }

    /// Prints the figures, with the top-intent accuracy, `notes` and the comparison with `baseline` after them,
    /// and writes the report (with `extras`) and the misclassified rows where asked; false when a file cannot be
    /// written. `rowNumbers` gives each example's 1-based row in the data file.
    private static func finish(
        _ evaluation: IntentEvaluation, examples: [IntentExample], rowNumbers: [Int],
        predictions: [IntentPrediction], trainedOn: String, trainingTime: Duration, embedder: Embedder?,
        baseline: EvalBaseline?, extras: [String: Any], notes: [String], report: String?, errors: String?
    ) throws -> Bool {
        print(summary(evaluation, rows: examples.count, trainedOn: trainedOn, trainingTime: trainingTime))
        let topIntent = topIntentAccuracy(examples, predictions)
        print("in-scope accuracy with no threshold (top intent): \(percent(topIntent))")
        notes.forEach { print($0) }
        var extras = extras
        let wrong = examples.indices.filter { examples[$0].intent != predictions[$0].intent }
        let misclassified = wrong.map { rowNumbers[$0] }.sorted()
        extras["misclassified_rows"] = misclassified
        if let baseline {
            let comparison = baseline.comparison(
                with: evaluation, misclassified: Set(misclassified), data: extras["data"] as? String ?? "",
                method: EvalBaseline.method(trainedOn: extras["trained_on"] as? String, folds: extras["folds"] as? Int))
            comparison.lines.forEach { print($0) }
            extras["baseline"] = comparison.report
        }
        extras["rows"] = examples.count
        extras["top_intent_accuracy"] = topIntent as Any? ?? NSNull()
        extras["embeddings"] = embedder?.description ?? NSNull()
        return try writeOutputs(
            evaluation, examples: examples, predictions: predictions, wrong: wrong, extras: extras, report: report,
            errors: errors)
    }

    /// Writes the JSON report (the evaluation's keys plus `extras`) and the CSV of misclassified rows
    /// (`text,intent,predicted,confidence`) where asked; false, with the reason reported, when a file cannot be
    /// written.
    private static func writeOutputs(
        _ evaluation: IntentEvaluation, examples: [IntentExample], predictions: [IntentPrediction], wrong: [Int],
        extras: [String: Any], report: String?, errors: String?
    ) throws -> Bool {
        func write(_ data: Data, to path: String, _ what: String) -> Bool {
            if path == "-", let reportOutput = Self.reportOutput {
                reportOutput.write(data + Data("\n".utf8))
                return true
            }
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
            var object =
                try JSONSerialization.jsonObject(with: JSONEncoder().encode(evaluation)) as? [String: Any] ?? [:]
            object.merge(extras) { _, extra in extra }
            let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
            guard write(data, to: report, "report") else { return false }
        }
        if let errors {
            func field(_ value: String) -> String {
                guard value.contains(where: { $0 == "," || $0 == "\"" || $0.isNewline }) else { return value }
                return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
            }
            var lines = ["text,intent,predicted,confidence"]
            for row in wrong {
                let (example, prediction) = (examples[row], predictions[row])
                lines.append(
                    [
                        field(example.text), field(example.intent), field(prediction.intent),
                        String(format: "%.3f", prediction.confidence),
                    ].joined(separator: ","))
            }
            let text = lines.joined(separator: "\n") + "\n"
            guard write(Data(text.utf8), to: errors, "\(lines.count - 1) misclassified rows") else { return false }
        }
        return true
    }
}

/// Sentence embeddings for an evaluation, each distinct text fetched once from the backend, and kept in the
/// workspace's embedding store for later runs when there is a workspace.
private final class Embedder {
    let client: EmbeddingsClient
    let weight: Float
    let store: EmbeddingStore?
    private var known: [String: [Float]] = [:]

    /// The backend and model, as the report names them.
    var description: [String: Any] {
        ["base_url": client.baseURL.absoluteString, "model": client.model, "weight": Double(weight)]
    }

    init(client: EmbeddingsClient, weight: Float, store: EmbeddingStore?) {
        self.client = client
        self.weight = weight
        self.store = store
    }

    /// Fetches the embeddings of the rows not fetched before.
    func fetch(_ examples: [IntentExample]) throws {
        var seen = Set(known.keys)
        let missing = examples.map(\.text).filter { seen.insert($0).inserted }
        guard !missing.isEmpty else { return }
        let started = ContinuousClock.now
        var asked = missing.count
        let vectors = try store?.vectors(for: missing, from: client) { asked = $0 } ?? client.embedAll(missing)
        for (text, vector) in zip(missing, vectors) {
            known[text] = vector
        }
        let seconds = (ContinuousClock.now - started).seconds
        print(
            String(
                format: "embeddings of %d texts (%d fetched from %@ at %@) in %.1f s", missing.count, asked,
                client.model, client.baseURL.absoluteString, seconds))
    }

    func vectors(_ examples: [IntentExample]) throws -> [[Float]] {
        try fetch(examples)
        return examples.map { known[$0.text] ?? [] }
    }

    func train(_ examples: [IntentExample]) throws -> IntentClassifier {
        IntentClassifier(training: examples, embeddings: try vectors(examples), embeddingWeight: weight)
    }

    func predict(_ examples: [IntentExample], with classifier: IntentClassifier) throws -> [IntentPrediction] {
        let vectors = try vectors(examples)
        return zip(examples, vectors).map { classifier.predict($0.text, embedding: $1) }
    }
}
