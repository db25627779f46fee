import Foundation
import ShopTalkKit

/// A set of scripts to run together: found on disk, filtered, run in parallel and possibly repeated.
public struct TestSuite: Sendable {
    public var scripts: [Script]

    public init(scripts: [Script]) {
        self.scripts = scripts
    }

    /// Finds `*.chat` files under `paths` (files or directories, searched recursively) and parses them all.
    ///
    /// - Throws: `ScriptErrors` with every malformed line of every file.
    public static func load(paths: [URL]) throws -> TestSuite {
        var files: [URL] = []
        let manager = FileManager.default
        for path in paths {
            var isDirectory: ObjCBool = false
            guard manager.fileExists(atPath: path.path, isDirectory: &isDirectory) else {
                throw ScriptErrors(errors: [ScriptError(file: path.path, line: 0, column: 0, text: "", expected: "")])
            }
            if isDirectory.boolValue {
                let found =
                    manager.enumerator(at: path, includingPropertiesForKeys: nil)?.compactMap { $0 as? URL } ?? []
                files += found.filter { $0.pathExtension == "chat" }.sorted { $0.path < $1.path }
            } else {
                files.append(path)
            }
        }
        var scripts: [Script] = []
        var errors: [ScriptError] = []
        for file in files {
            do {
                scripts.append(try ScriptParser.parse(contentsOf: file, displayPath: Self.display(file)))
            } catch let failure as ScriptErrors {
                errors += failure.errors
            }
        }
        if !errors.isEmpty { throw ScriptErrors(errors: errors) }
        return TestSuite(scripts: scripts)
    }

    /// Keeps scripts whose name, tags or file contain `text`, ignoring case.
    public func filtered(by text: String?) -> TestSuite {
        guard let text, !text.isEmpty else { return self }
        return TestSuite(
            scripts: scripts.filter { script in
                ([script.name, script.file] + script.tags).contains {
                    $0.range(of: text, options: .caseInsensitive) != nil
                }
            })
    }

    /// Runs every script `repeat` times, at most `jobs` at once; results keep the scripts' order.
    public func run(
        with runner: ScriptRunner, jobs: Int, repeat repeats: Int = 1,
        completed: (@Sendable (ScriptResult) -> Void)? = nil
    ) async -> [[ScriptResult]] {
        let work = scripts.indices.flatMap { index in (0..<max(repeats, 1)).map { (index, $0) } }
        var results = Array(repeating: [ScriptResult](), count: scripts.count)
        var collected: [(Int, Int, ScriptResult)] = []
        await withTaskGroup(of: (Int, Int, ScriptResult).self) { group in
            var next = 0
            func start() {
                guard next < work.count else { return }
                let (index, round) = work[next]
                let script = scripts[index]
                next += 1
                group.addTask { (index, round, await runner.run(script)) }
            }
            for _ in 0..<max(jobs, 1) { start() }
            while let finished = await group.next() {
                collected.append(finished)
                completed?(finished.2)
                start()
            }
        }
        for (index, _, result) in collected.sorted(by: { ($0.0, $0.1) < ($1.0, $1.1) }) {
            results[index].append(result)
        }
        return results
    }

    private static func display(_ url: URL) -> String {
        let current = FileManager.default.currentDirectoryPath + "/"
        return url.path.hasPrefix(current) ? String(url.path.dropFirst(current.count)) : url.path
    }
}
