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
    /// The 1-based data rows it got wrong.
    var misclassified: Set<Int>
    /// Its headline figures by report key, nil where they did not apply.
    var figures: [String: Double?]

    /// The figures compared, by report key and printed name.
    static let comparedFigures = [
        ("accuracy", "accuracy"), ("in_scope_accuracy", "in-scope accuracy"), ("oos_recall", "out-of-scope recall"),
        ("macro_f1", "macro F1"),
    ]

    /// Reads the report at `path`, failing with the file and what was expected when it is not one.
    init(path: String) throws {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw BadArgument("cannot read the baseline report \(path): no such file")
        }
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw BadArgument("\(path): expected the JSON object an 'eval intents --report' run writes")
        }
        guard let rows = object["rows"] as? Int, let wrong = object["misclassified_rows"] as? [Int] else {
            throw BadArgument(
                "\(path): expected 'rows' and 'misclassified_rows', which reports of this version of eval intents"
                    + " carry; write the baseline again with --report")
        }
        self.path = path
        self.data = object["data"] as? String
        self.rows = rows
        misclassified = Set(wrong)
        var figures: [String: Double?] = [:]
        for (key, _) in Self.comparedFigures {
            figures[key] = object[key] as? Double
        }
        self.figures = figures
    }

    /// Fails when a run scores a different number of rows, since its row numbers would name other messages.
    func check(rows: Int) throws {
        guard rows == self.rows else {
            throw BadArgument(
                "\(path): the baseline scored \(self.rows) rows and this run scores \(rows): compare runs on the same"
                    + " data file")
        }
    }

    /// Lines comparing a run with this baseline, and the same for the report.
    func comparison(
        with evaluation: IntentEvaluation, misclassified current: Set<Int>, rows: Int, data: String
    ) throws -> (lines: [String], report: [String: Any]) {
        try check(rows: rows)
        let now: [String: Double?] = [
            "accuracy": evaluation.accuracy, "in_scope_accuracy": evaluation.inScopeAccuracy,
            "oos_recall": evaluation.outOfScopeRecall, "macro_f1": evaluation.macroF1,
        ]
        var lines = ["against \(path), the same \(rows) rows:"]
        if let before = self.data, before != data {
            lines.append("  note: the baseline measured \(before), this run \(data)")
        }
        let width = Self.comparedFigures.map(\.1.count).max() ?? 0
        for (key, name) in Self.comparedFigures {
            guard let before = figures[key] ?? nil, let after = now[key] ?? nil else { continue }
            // A report rounds its figures in the last bits, so tiny differences are no change at all.
            let points = (after - before) * 100
            let change = abs(points) < 0.005 ? "no change" : String(format: "%+.2f points", points)
            lines.append(
                "  " + name.padding(toLength: width, withPad: " ", startingAt: 0)
                    + String(format: " %.2f%% → %.2f%%  (%@)", before * 100, after * 100, change))
        }
        let nowRight = misclassified.subtracting(current).count
        let nowWrong = current.subtracting(misclassified).count
        let pValue = IntentEvaluation.mcnemarPValue(onlyFirst: nowRight, onlySecond: nowWrong)
        let verdict =
            pValue >= 0.05
            ? "no clear difference at the 5% level"
            : nowRight > nowWrong ? "better at the 5% level" : "worse at the 5% level"
        lines.append(
            "  rows now right: \(nowRight), now wrong: \(nowWrong); McNemar exact p = "
                + String(format: "%.3g", pValue) + ": \(verdict)")
        let report: [String: Any] = [
            "file": path, "now_right": nowRight, "now_wrong": nowWrong, "p_value": pValue,
        ]
        return (lines, report)
    }
}
