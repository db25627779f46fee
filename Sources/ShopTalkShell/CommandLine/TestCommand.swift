import ChatScript
import Foundation
import ShopTalkKit

/// `shoptalk test` and `shoptalk run`: scripts as regression tests.
enum TestCommand {
    struct Options {
        var paths: [String] = []
        var jobs = ProcessInfo.processInfo.activeProcessorCount
        var junit: String?
        var tap = false
        var filter: String?
        var repeats = 1
    }

    static func parse(_ arguments: [String]) throws -> Options {
        var options = Options()
        var iterator = arguments.makeIterator()
        func value(_ flag: String) throws -> String {
            guard let value = iterator.next() else { throw UsageError("\(flag) needs a value") }
            return value
        }
        while let argument = iterator.next() {
            switch argument {
            case "--jobs", "-j":
                guard let jobs = Int(try value(argument)), jobs > 0 else {
                    throw UsageError("--jobs takes a positive number")
                }
                options.jobs = jobs
            case "--junit": options.junit = try value(argument)
            case "--tap": options.tap = true
            case "--filter": options.filter = try value(argument)
            case "--repeat":
                guard let count = Int(try value(argument)), count > 0 else {
                    throw UsageError("--repeat takes a positive number")
                }
                options.repeats = count
            case let flag where flag.hasPrefix("-"): throw UsageError("unknown option '\(flag)' for test")
            default: options.paths.append(argument)
            }
        }
        return options
    }

    /// Runs scripts as tests; exit 0 when all pass, 1 when any fails, 2 for malformed scripts.
    static func test(_ arguments: [String], _ global: GlobalOptions) async throws -> Int32 {
        let options = try parse(arguments)
        let workspace = try global.workspaceURL()
        let paths =
            options.paths.isEmpty
            ? [workspace.appendingPathComponent("tests")] : options.paths.map { URL(fileURLWithPath: $0) }
        let suite: TestSuite
        do {
            suite = try TestSuite.load(paths: paths).filtered(by: options.filter)
        } catch let errors as ScriptErrors {
            let malformed = errors.errors.filter { $0.line > 0 }.count
            ShopTalkCommand.report(
                (malformed > 0 ? "\(malformed) malformed line(s):\n" : "") + "\(errors)")
            return 2
        }
        guard !suite.scripts.isEmpty else {
            ShopTalkCommand.report(
                "no scripts"
                    + (options.filter.map { " match '\($0)'" } ?? " under \(paths.map(\.path).joined(separator: ", "))")
                    + " (a run of nothing fails)")
            return 1
        }
        return try await withScratchLedger { ledger in
            let engine = try global.openEngine(ledgerPath: ledger)
            let progress = TestProgress(
                total: suite.scripts.count * max(options.repeats, 1), listEach: global.verbose && !options.tap,
                live: !global.verbose && !options.tap && isatty(STDERR_FILENO) == 1)
            let results = await suite.run(
                with: ScriptRunner(engine: engine), jobs: options.jobs, repeat: options.repeats,
                completed: { progress.record($0) })
            progress.finish()
            return report(results, options: options)
        }
    }

    /// Runs one script and prints its transcript; exit 0 when it passes, 1 when it fails.
    static func run(_ arguments: [String], _ global: GlobalOptions) async throws -> Int32 {
        guard arguments.count == 1, let path = arguments.first else { throw UsageError("run takes one FILE.chat") }
        let script: Script
        do {
            script = try ScriptParser.parse(contentsOf: URL(fileURLWithPath: path), displayPath: path)
        } catch let errors as ScriptErrors {
            ShopTalkCommand.report("\(errors)")
            return 2
        }
        return try await withScratchLedger { ledger in
            let printer = TranscriptPrinter(style: .forStandardOutput())
            let result = await ScriptRunner(engine: try global.openEngine(ledgerPath: ledger)).run(script) {
                event in
                for line in printer.lines(for: event) { print(line) }
            }
            if let error = result.error { ShopTalkCommand.report(error) }
            print(Reporters.summary(passed: result.passed ? 1 : 0, failed: result.passed ? 0 : 1))
            return result.passed ? 0 : 1
        }
    }

    private static func report(_ results: [[ScriptResult]], options: Options) -> Int32 {
        let flaky = results.filter { runs in Set(runs.map(\.passed)).count > 1 }
        let failed = results.filter { runs in runs.contains { !$0.passed } }
        if options.tap {
            print(Reporters.tap(results.compactMap { runs in runs.first { !$0.passed } ?? runs.first }))
        } else {
            for runs in failed {
                if let failure = runs.first(where: { !$0.passed }) { print(Reporters.failure(failure) + "\n") }
            }
        }
        for runs in flaky {
            let passes = runs.filter(\.passed).count
            print("FLAKY \(runs[0].script.name) (\(runs[0].script.file)): passed \(passes) of \(runs.count) runs")
        }
        var writeFailed = false
        if let junit = options.junit {
            do {
                try Reporters.junit(runs: results).write(toFile: junit, atomically: true, encoding: .utf8)
            } catch {
                ShopTalkCommand.report("cannot write the JUnit report to \(junit): check that its directory exists")
                writeFailed = true
            }
        }
        let line = Reporters.summary(passed: results.count - failed.count, failed: failed.count)
        print(options.tap ? "# " + line : line)
        if writeFailed { return 3 }
        return failed.isEmpty ? 0 : 1
    }

    /// Runs `body` with a ledger path in a fresh temporary directory, removed afterwards: test runs keep their
    /// audit records apart from the workspace's own trail.
    static func withScratchLedger<T>(_ body: (String) async throws -> T) async throws -> T {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "shoptalk-run-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        return try await body(directory.appendingPathComponent("ledger.sqlite").path)
    }
}

/// What a test run shows while it goes: with `--verbose`, a line per finished script on standard output; on a
/// terminal, otherwise, one counter line on standard error that is cleared at the end.
private final class TestProgress: @unchecked Sendable {
    private let total: Int
    private let listEach: Bool
    private let live: Bool
    private let lock = NSLock()
    private var done = 0
    private var failed = 0

    init(total: Int, listEach: Bool, live: Bool) {
        self.total = total
        self.listEach = listEach
        self.live = live
    }

    func record(_ result: ScriptResult) {
        lock.withLock {
            done += 1
            if !result.passed { failed += 1 }
            if listEach {
                let verdict = result.passed ? "PASS" : "FAIL"
                print(
                    String(format: "%@ %@ (%@) %.2f s", verdict, result.script.name, result.script.file, result.seconds)
                )
            } else if live {
                let line = "\r\(done) of \(total) scripts run" + (failed > 0 ? ", \(failed) failed" : "")
                FileHandle.standardError.write(Data(line.utf8))
            }
        }
    }

    func finish() {
        if live { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    }
}
