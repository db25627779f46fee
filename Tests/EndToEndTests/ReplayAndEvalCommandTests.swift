import Foundation
import Testing

@Suite("shoptalk replay and eval")
struct ReplayAndEvalCommandTests {
    @Test func replayOfALoggedSessionAgainstAnotherPromptReportsTheChanges() throws {
        let workspace = try TestWorkspace()
        _ = try workspace.run([], input: "/prompt use support@v2\nhello\nwhere is my order\n")
        let tail = try workspace.run(["audit", "tail", "1"], input: "")
        let session = try #require(tail.output.split(separator: "\t").dropFirst(3).first.map(String.init))

        let same = try workspace.run(["replay", session, "--exit-code"], input: "")
        #expect(same.status == 0, "\(same.output)\(same.error)")
        #expect(same.output.contains("2 turns: 2 unchanged, 0 changed"))

        let other = try workspace.run(["replay", session, "--against", "support@v1", "--exit-code"], input: "")
        #expect(other.status == 1)
        #expect(other.output.contains("prompt: support@v2 → support@v1"))
        #expect(other.output.contains("+ Hello, welcome to Harbour Lane Home!"))
        #expect(other.output.contains("2 turns: 0 unchanged, 2 changed"))

        let verify = try workspace.run(["audit", "verify"], input: "")
        #expect(verify.output.contains("audit log intact: 6 entries"))
    }

    @Test func evalIntentsPrintsTheFiguresAndWritesAReport() throws {
        let workspace = try TestWorkspace()
        let data = workspace.directory.appendingPathComponent("check.csv")
        try """
        text,intent
        where is my parcel,track_order
        "hello, anyone there?",greeting
        how do I reset my password,account_access
        what is the capital of peru,out_of_scope
        "my password, I forgot it",track_order
        """.write(to: data, atomically: true, encoding: .utf8)
        let report = workspace.directory.appendingPathComponent("report.json")
        let errors = workspace.directory.appendingPathComponent("errors.csv")

        let result = try workspace.run(
            ["eval", "intents", data.path, "--report", report.path, "--errors", errors.path], input: "")

        #expect(result.status == 0, "\(result.error)")
        #expect(result.output.contains("in-scope accuracy"))
        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: report)) as? [String: Any])
        for key in [
            "accuracy", "in_scope_accuracy", "oos_recall", "oos_precision", "macro_f1", "threshold", "per_intent",
        ] {
            #expect(json[key] != nil, "missing \(key)")
        }
        #expect((json["data"] as? String)?.hasSuffix("check.csv") == true)
        #expect((json["trained_on"] as? String)?.hasSuffix("intents.csv") == true)
        #expect(json["embeddings"] is NSNull)
        #expect(json["rows"] as? Int == 5)
        let accuracy = try #require(json["accuracy"] as? Double)
        #expect((0...1).contains(accuracy))
        // Five rows say little: the printed and reported intervals are wide and hold the figure.
        #expect(result.output.contains("95% intervals: accuracy "))
        let intervals = try #require(json["intervals"] as? [String: [Double]])
        let range = try #require(intervals["accuracy"])
        #expect(range.count == 2 && range[0] <= accuracy && accuracy <= range[1] && range[1] - range[0] > 0.4)
        #expect(intervals["oos_recall"]?.count == 2)
        let perIntent = try #require(json["per_intent"] as? [String: [String: Any]])
        #expect(perIntent["track_order"]?["support"] as? Int == 2)

        // The mislabelled row is listed with the label the classifier gave it; the right answers are not.
        let wrong = try String(contentsOf: errors, encoding: .utf8).split(separator: "\n")
        #expect(wrong.first == "text,intent,predicted,confidence")
        #expect(wrong.dropFirst().contains { $0.hasPrefix("\"my password, I forgot it\",track_order,account_access,") })
        #expect(!wrong.contains { $0.hasPrefix("where is my parcel") })

        // With --report - the report is standard output, alone, and the figures move to standard error.
        let piped = try workspace.run(["eval", "intents", data.path, "--report", "-"], input: "")
        #expect(piped.status == 0, "\(piped.error)")
        let pipedJSON = try #require(
            try JSONSerialization.jsonObject(with: Data(piped.output.utf8)) as? [String: Any])
        #expect(pipedJSON["accuracy"] as? Double == accuracy)
        #expect(piped.error.contains("in-scope accuracy"))
        let current = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        #expect(!FileManager.default.fileExists(atPath: current.appendingPathComponent("-").path))

        let unwritable = try workspace.run(
            ["eval", "intents", data.path, "--errors", "/nonexistent/errors.csv"], input: "")
        #expect(unwritable.status == 2)
        #expect(unwritable.error.contains("cannot write /nonexistent/errors.csv"))
    }

    @Test func evalCanSaveTheCalibratedThresholdToTheWorkspace() throws {
        let workspace = try TestWorkspace()
        let heldOut = workspace.directory.appendingPathComponent("eval/intents-heldout.csv").path
        let result = try workspace.run(
            ["eval", "intents", heldOut, "--calibrate", heldOut, "--save-threshold"], input: "")
        #expect(result.status == 0, "\(result.error)")
        let config =
            try JSONSerialization.jsonObject(
                with: Data(contentsOf: workspace.directory.appendingPathComponent("shoptalk.json"))) as? [String: Any]
        let understanding = try #require(config?["understanding"] as? [String: Any])
        #expect(understanding["threshold"] is Double)
        #expect(config?["name"] as? String == "Harbour Lane Home")
    }

    @Test func evalRefusesCombinationsThatWouldMeasureOrSaveTheWrongThing() throws {
        let workspace = try TestWorkspace()
        let heldOut = workspace.directory.appendingPathComponent("eval/intents-heldout.csv").path
        let inScopeOnly = workspace.directory.appendingPathComponent("in-scope.csv")
        try "text,intent\nhello,greeting\nwhere is my order,track_order\n".write(
            to: inScopeOnly, atomically: true, encoding: .utf8)
        let intents = workspace.directory.appendingPathComponent("intents.csv").path

        let noOutOfScope = try workspace.run(["eval", "intents", heldOut, "--calibrate", inScopeOnly.path], input: "")
        #expect(noOutOfScope.status == 2)
        #expect(noOutOfScope.error.contains("no rows labelled out_of_scope"))

        let otherModel = try workspace.run(
            ["eval", "intents", heldOut, "--train", intents, "--calibrate", heldOut, "--save-threshold"], input: "")
        #expect(otherModel.status == 2)
        #expect(otherModel.error.contains("does not combine with --train"))

        let training = try workspace.run(["eval", "intents", intents], input: "")
        #expect(training.status == 0)
        #expect(training.output.contains("rows also occur in the training file: the figures measure memory"))
    }

    @Test func evalComparesARunWithABaselineReportRowByRow() throws {
        let workspace = try TestWorkspace()
        let data = workspace.directory.appendingPathComponent("eval/intents-heldout.csv").path
        let baseline = workspace.directory.appendingPathComponent("baseline.json").path
        let first = try workspace.run(["eval", "intents", data, "--report", baseline], input: "")
        #expect(first.status == 0, "\(first.error)")
        let json = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: baseline))) as? [String: Any])
        let rows = try #require(json["rows"] as? Int)
        let wrong = try #require(json["misclassified_rows"] as? [Int])
        let accuracy = try #require(json["accuracy"] as? Double)
        #expect(wrong.count == rows - Int((accuracy * Double(rows)).rounded()))
        #expect(wrong.allSatisfy { (1...rows).contains($0) })

        let same = try workspace.run(["eval", "intents", data, "--baseline", baseline], input: "")
        #expect(same.status == 0, "\(same.error)")
        #expect(same.output.contains("against \(baseline), the same \(rows) rows:"))
        #expect(same.output.contains("rows now right: 0, now wrong: 0; McNemar exact p = 1: no clear difference"))

        // Training on a third of intents.csv loses many rows the full file got right.
        let intents = workspace.directory.appendingPathComponent("intents.csv")
        let lines = try String(contentsOf: intents, encoding: .utf8).split(separator: "\n")
        let kept = lines.enumerated().filter { $0.offset == 0 || $0.offset % 3 == 0 }.map(\.element)
        let third = workspace.directory.appendingPathComponent("third.csv")
        try (kept.joined(separator: "\n") + "\n").write(to: third, atomically: true, encoding: .utf8)
        let worseReport = workspace.directory.appendingPathComponent("worse.json").path
        let worse = try workspace.run(
            ["eval", "intents", data, "--train", third.path, "--baseline", baseline, "--report", worseReport],
            input: "")
        #expect(worse.status == 0, "\(worse.error)")
        #expect(worse.output.contains("worse at the 5% level"), "\(worse.output)")
        // The rows that changed are named, and they are exactly the difference of the two runs' wrong rows.
        #expect(worse.output.contains("  now wrong: rows "))
        let after = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: worseReport)))
                as? [String: Any])
        let nowWrong = (after["baseline"] as? [String: Any])?["now_wrong_rows"] as? [Int]
        let newlyWrong = Set(after["misclassified_rows"] as? [Int] ?? []).subtracting(wrong)
        #expect(nowWrong == newlyWrong.sorted())
        #expect(nowWrong?.isEmpty == false)

        let other = try workspace.run(["eval", "intents", intents.path, "--baseline", baseline], input: "")
        #expect(other.status == 2)
        #expect(other.error.contains("the baseline scored \(rows) rows"))
        // The same rows in another order would pair each row number with another message.
        let heldOut = try String(contentsOf: URL(fileURLWithPath: data), encoding: .utf8).split(separator: "\n")
        let reordered = workspace.directory.appendingPathComponent("reordered.csv")
        try ([heldOut[0]] + heldOut.dropFirst().reversed()).joined(separator: "\n")
            .write(to: reordered, atomically: true, encoding: .utf8)
        let shuffled = try workspace.run(["eval", "intents", reordered.path, "--baseline", baseline], input: "")
        #expect(shuffled.status == 2)
        #expect(shuffled.error.contains("the baseline scored other rows than those of"))

        // A hand-edited list of wrong rows that contradicts the report's own accuracy is refused.
        var edited = json
        edited["misclassified_rows"] = [Int]()
        let editedPath = workspace.directory.appendingPathComponent("edited.json")
        try JSONSerialization.data(withJSONObject: edited).write(to: editedPath)
        let contradicted = try workspace.run(["eval", "intents", data, "--baseline", editedPath.path], input: "")
        #expect(contradicted.status == 2)
        #expect(contradicted.error.contains("disagrees with its accuracy"))
        let missing = try workspace.run(["eval", "intents", data, "--baseline", "/nonexistent.json"], input: "")
        #expect(missing.status == 2)
        #expect(missing.error.contains("cannot read the baseline report /nonexistent.json"))
    }

    @Test func crossValidationScoresEveryRowWithAModelThatNeverSawIt() throws {
        let workspace = try TestWorkspace()
        let intents = workspace.directory.appendingPathComponent("intents.csv").path
        let result = try workspace.run(["eval", "intents", intents, "--folds", "3"], input: "")
        #expect(result.status == 0, "\(result.error)")
        #expect(result.output.contains("fold 3 of 3"))
        let accuracyLine = try #require(result.output.split(separator: "\n").first { $0.hasPrefix("accuracy: ") })
        let value = Double(accuracyLine.dropFirst(10).prefix { $0 != "%" }) ?? 0
        // Held-out folds score well below a model tested on its own training rows, but far above chance.
        #expect(value > 70 && value < 100)

        let tooMany = try workspace.run(["eval", "intents", intents, "--folds", "100000"], input: "")
        #expect(tooMany.status == 2)
        #expect(tooMany.error.contains("so the folds past"))
    }
}
