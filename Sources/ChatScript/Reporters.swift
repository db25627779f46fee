import Foundation
import ShopTalkKit

/// Text reports of script results: failures with diffs, the summary line, TAP and JUnit XML.
public enum Reporters {
    /// A failure as a person reads it: where, the turn, what was expected, what was seen.
    public static func failure(_ result: ScriptResult) -> String {
        var lines = ["FAIL \(result.script.name) (\(result.script.file))"]
        if let error = result.error { lines.append("  error: \(error)") }
        for failure in result.failures {
            lines.append("  \(result.script.file):\(failure.step.line): \(failure.step.source)")
            if let message = message(before: failure.step, in: result.script) {
                lines.append("    after: user: \(message)")
            }
            guard case .expect(let expectation) = failure.step.kind, let seen = failure.seen else {
                lines.append("    seen:  \(failure.seen ?? "")")
                continue
            }
            switch expectation {
            case .replyEquals(let text):
                lines += diff(expected: text, actual: seen).map { "    " + $0 }
            case .replyContains(let text):
                lines += ["    expected the reply to contain: \(text)", "    reply: \(flattened(seen))"]
            case .replyLacks(let text):
                lines += ["    expected the reply not to contain: \(text)", "    reply: \(flattened(seen))"]
            case .replyMatches(let pattern):
                lines += ["    expected the reply to match: /\(pattern)/", "    reply: \(flattened(seen))"]
            default:
                lines.append("    seen:  \(seen)")
            }
        }
        return lines.joined(separator: "\n")
    }

    /// `N passed, N failed` with `, N skipped` when any, as the last line of a run.
    public static func summary(passed: Int, failed: Int, skipped: Int = 0) -> String {
        "\(passed) passed, \(failed) failed" + (skipped > 0 ? ", \(skipped) skipped" : "")
    }

    /// A TAP version 13 report, one test point a script.
    public static func tap(_ results: [ScriptResult]) -> String {
        var lines = ["TAP version 13", "1..\(results.count)"]
        for (offset, result) in results.enumerated() {
            lines.append("\(result.passed ? "ok" : "not ok") \(offset + 1) - \(result.script.name)")
            if !result.passed {
                lines.append("  ---")
                lines.append("  file: \(yaml(result.script.file))")
                lines.append("  message: \(yaml(failure(result)))")
                lines.append("  ...")
            }
        }
        return lines.joined(separator: "\n")
    }

    /// A JUnit XML report of scripts run several times each: every run is a test case of its own, named with
    /// its run number so that tools which key cases by name keep them all.
    public static func junit(runs: [[ScriptResult]], suiteName: String = "shoptalk") -> String {
        var named: [ScriptResult] = []
        for repeats in runs {
            for (run, var result) in repeats.enumerated() {
                if repeats.count > 1 { result.script.name += " (run \(run + 1) of \(repeats.count))" }
                named.append(result)
            }
        }
        return junit(named, suiteName: suiteName)
    }

    /// A JUnit XML report: one test suite, one test case a script, with its time and failures.
    public static func junit(_ results: [ScriptResult], suiteName: String = "shoptalk") -> String {
        let failures = results.filter { !$0.passed && $0.error == nil }.count
        let errors = results.filter { $0.error != nil }.count
        let time = results.reduce(0) { $0 + $1.seconds }
        var xml = [
            #"<?xml version="1.0" encoding="UTF-8"?>"#,
            #"<testsuites name="\#(escape(suiteName))" tests="\#(results.count)" failures="\#(failures)" errors="\#(errors)" time="\#(seconds(time))">"#,
            #"  <testsuite name="\#(escape(suiteName))" tests="\#(results.count)" failures="\#(failures)" errors="\#(errors)" skipped="0" time="\#(seconds(time))">"#,
        ]
        for result in results {
            let open =
                #"    <testcase name="\#(escape(result.script.name))" classname="\#(escape(result.script.file))" time="\#(seconds(result.seconds))""#
            if result.passed {
                xml.append(open + "/>")
                continue
            }
            xml.append(open + ">")
            let text = escape(failure(result))
            if let error = result.error {
                xml.append(#"      <error message="\#(escape(error))">\#(text)</error>"#)
            } else {
                let first = result.failures.first.map { "line \($0.step.line): \($0.step.source)" } ?? "failed"
                xml.append(#"      <failure message="\#(escape(first))" type="expectation">\#(text)</failure>"#)
            }
            xml.append("    </testcase>")
        }
        xml += ["  </testsuite>", "</testsuites>"]
        return xml.joined(separator: "\n") + "\n"
    }

    /// A compact expected/actual diff: both texts, with a caret under the first difference.
    static func diff(expected: String, actual: String) -> [String] {
        let expected = flattened(expected)
        let actual = flattened(actual)
        let common = zip(expected, actual).prefix { $0 == $1 }.count
        let start = max(0, common - 30)
        func window(_ text: String) -> String {
            let characters = Array(text)
            guard start < characters.count else { return start > 0 ? "…" : "" }
            let end = min(characters.count, common + 50)
            return (start > 0 ? "…" : "") + String(characters[start..<end]) + (end < characters.count ? "…" : "")
        }
        let caret = String(repeating: " ", count: common - start + (start > 0 ? 1 : 0)) + "^"
        return ["expected: \(window(expected))", "actual:   \(window(actual))", "          \(caret)"]
    }

    /// A reply on one line, its line breaks shown as ⏎.
    private static func flattened(_ text: String) -> String {
        text.replacingOccurrences(of: "\n", with: " ⏎ ")
    }

    private static func message(before step: Step, in script: Script) -> String? {
        var message: String?
        for candidate in script.steps {
            if candidate.line >= step.line { break }
            if case .user(let text) = candidate.kind { message = text }
        }
        return message
    }

    private static func escape(_ text: String) -> String {
        var escaped = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "\n", "\t": escaped.unicodeScalars.append(scalar)
            case _ where scalar.value < 0x20: continue
            default: escaped.unicodeScalars.append(scalar)
            }
        }
        return escaped
    }

    private static func yaml(_ text: String) -> String {
        "\""
            + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n") + "\""
    }

    private static func seconds(_ value: Double) -> String {
        String(format: "%.3f", value)
    }
}
