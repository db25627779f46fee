import Foundation
import ShopTalkKit

/// An earlier `eval intents` report on the same data, which a run is compared against row by row.
struct EvalBaseline {
    /// Where the report was read from.
    var path: String
    /// The data file the report measured, as it names it.
    var data: String?
    /// How many rows it scored.
    var rows: Int
    /// `EvalBaseline.fingerprint(of:)` of the rows it scored.
    var fingerprint: String
    /// How its classifier was trained, as `EvalBaseline.method(trainedOn:folds:)` puts it.
    var method: String?
    /// The 1-based data rows it got wrong.
    var misclassified: Set<Int>
    /// Its headline figures by report key, nil where they did not apply.
    var figures: [String: Double?]

    /// The figures compared: report key, printed name, and the figure of a run.
    static let comparedFigures: [(key: String, name: String, of: @Sendable (IntentEvaluation) -> Double?)] = [
        ("accuracy", "accuracy", { $0.accuracy }), ("in_scope_accuracy", "in-scope accuracy", { $0.inScopeAccuracy }),
        ("oos_recall", "out-of-scope recall", { $0.outOfScopeRecall }), ("macro_f1", "macro F1", { $0.macroF1 }),
    ]

    /// Reads the report at `path`, failing with the file and what was expected when it is not one.
    init(path: String) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw BadArgument("cannot read the baseline report \(path): no such file")
        }
        guard !isDirectory.boolValue else {
            throw BadArgument("cannot read the baseline report \(path): it is a directory")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw BadArgument("cannot read the baseline report \(path): check that it is readable")
        }
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw BadArgument("\(path): expected the JSON object an 'eval intents --report' run writes")
        }
        guard let rows = object["rows"] as? Int, let wrong = object["misclassified_rows"] as? [Int],
            let fingerprint = object["rows_sha256"] as? String
        else {
            throw BadArgument(
                "\(path): expected 'rows' (a whole number), 'rows_sha256' (text) and 'misclassified_rows' (whole"
                    + " numbers), which reports of this version of eval intents carry; write the baseline again with"
                    + " --report")
        }
        misclassified = Set(wrong)
        guard misclassified.count == wrong.count, wrong.allSatisfy({ (1...max(rows, 1)).contains($0) }) else {
            throw BadArgument(
                "\(path): expected 'misclassified_rows' to hold distinct row numbers from 1 to \(rows)")
        }
        // The list is what the comparison rests on, so it must agree with the accuracy the report states.
        if let accuracy = object["accuracy"] as? Double, rows > 0,
            abs(Double(rows - wrong.count) / Double(rows) - accuracy) > 1e-9
        {
            throw BadArgument(
                "\(path): 'misclassified_rows' lists \(wrong.count) of \(rows) rows, which disagrees with its accuracy"
                    + String(format: " of %.2f%%", accuracy * 100))
        }
        self.path = path
        self.data = object["data"] as? String
        self.rows = rows
        self.fingerprint = fingerprint
        method = Self.method(trainedOn: object["trained_on"] as? String, folds: object["folds"] as? Int)
        var figures: [String: Double?] = [:]
        for figure in Self.comparedFigures {
            figures[figure.key] = object[figure.key] as? Double
        }
        self.figures = figures
    }

    /// A digest of the rows' texts and labels in order, which tells whether two reports' row numbers name the
    /// same messages with the same right answers.
    static func fingerprint(of examples: [IntentExample]) -> String {
        Digest.sha256Hex(examples.map { $0.text + "\u{1}" + $0.intent }.joined(separator: "\u{0}"))
    }

    /// How a run trained its classifier, for noting when two compared runs differ in it.
    static func method(trainedOn: String?, folds: Int?) -> String? {
        if let folds { return "\(folds)-fold cross-validation" }
        return trainedOn.map { "training on \($0)" }
    }

    /// Fails unless a run scores the same rows, in the same order, since its row numbers would otherwise name
    /// other messages; `fingerprint` is the run's `fingerprint(of:)`.
    func check(rows: Int, fingerprint: String, file: String) throws {
        guard rows == self.rows else {
            throw BadArgument(
                "\(path): the baseline scored \(self.rows) rows and this run scores \(rows): compare runs on the same"
                    + " data file")
        }
        guard fingerprint == self.fingerprint else {
            throw BadArgument(
                "\(path): the baseline scored other rows than those of \(file) (other texts or labels, or another"
                    + " order): compare runs on the same data file")
        }
    }

    /// Lines comparing a run with this baseline, and the same for the report.
    func comparison(
        with evaluation: IntentEvaluation, misclassified current: Set<Int>, data: String, method: String?
    ) -> (lines: [String], report: [String: Any]) {
        var lines = ["against \(path), the same \(rows) rows:"]
        if let before = self.data, before != data {
            lines.append("  note: the baseline measured \(before), this run \(data)")
        }
        if let before = self.method, let method, before != method {
            lines.append("  note: the baseline used \(before), this run \(method)")
        }
        let width = Self.comparedFigures.map(\.name.count).max() ?? 0
        for figure in Self.comparedFigures {
            guard let before = figures[figure.key] ?? nil, let after = figure.of(evaluation) else { continue }
            // A report rounds its figures in the last bits, so tiny differences are no change at all.
            let points = (after - before) * 100
            let change = abs(points) < 0.005 ? "no change" : String(format: "%+.2f points", points)
            lines.append(
                "  " + figure.name.padding(toLength: width, withPad: " ", startingAt: 0)
                    + String(format: " %.2f%% → %.2f%%  (%@)", before * 100, after * 100, change))
        }
        let rightRows = misclassified.subtracting(current).sorted()
        let wrongRows = current.subtracting(misclassified).sorted()
        let (nowRight, nowWrong) = (rightRows.count, wrongRows.count)
        let pValue = IntentEvaluation.mcnemarPValue(onlyFirst: nowRight, onlySecond: nowWrong)
        let verdict = pValue >= 0.05 ? "no clear difference" : nowRight > nowWrong ? "better" : "worse"
        lines.append(
            "  rows now right: \(nowRight), now wrong: \(nowWrong); McNemar exact p = "
                + String(format: "%.3g", pValue) + ": \(verdict) at the 5% level")
        for (label, rows) in [("now right", rightRows), ("now wrong", wrongRows)] where !rows.isEmpty {
            let shown = rows.prefix(12).map(String.init).joined(separator: ", ")
            lines.append("  \(label): rows \(shown)" + (rows.count > 12 ? " and \(rows.count - 12) more" : ""))
        }
        let report: [String: Any] = [
            "file": path, "now_right": nowRight, "now_wrong": nowWrong, "p_value": pValue, "verdict": verdict,
            "now_right_rows": rightRows, "now_wrong_rows": wrongRows,
            "before": figures.mapValues { $0 as Any? ?? NSNull() },
        ]
        return (lines, report)
    }
}
