import Foundation
import ShopTalkKit

/// The `shoptalk` command line: global options, then a subcommand (the shell when there is none).
package enum ShopTalkCommand {
    /// The release this build is.
    static let version = "0.1.0"

    package static let usage = """
        usage: shoptalk [--workspace DIR] [--customer ID] [--verbose]   start the shell
               shoptalk test [PATH…] [--jobs N] [--junit FILE] [--tap] [--filter TEXT] [--repeat N] [--verbose]
                                                                        run .chat scripts as tests
               shoptalk run FILE.chat                                   run one script, print its transcript
               shoptalk replay SESSION… | --since T [--against NAME@VER] [--model recorded|live] [--exit-code]
                                                                        rerun logged sessions and show what changed
               shoptalk eval intents DATA.csv [--train FILE.csv] [--calibrate VAL.csv] [--report FILE] [--errors FILE.csv]
                                     [--baseline OLD.json] [--save-threshold] [--folds K]
                                     [--embeddings URL [--embeddings-model NAME] | --no-embeddings]
                                                                        measure the intent recogniser
               shoptalk bench [--scripts N] [--turns N] [--jobs N]      throughput and latency of the pipeline
               shoptalk audit tail [N] [--json] | verify                read or verify the audit log
               shoptalk prompts list | show NAME@VER                    the prompt library
               shoptalk help                                            this text

        The workspace is --workspace DIR, else the current directory when it holds shoptalk.json,
        else the bundled sample. Exit codes: 0 success, 1 a check failed, 2 bad usage or input,
        3 an environment fault (database locked, model unreachable).
        """

    /// Runs the command line and returns the exit code.
    package static func main(_ arguments: [String]) async -> Int32 {
        var options = GlobalOptions()
        var rest: [String] = []
        do {
            var iterator = arguments.makeIterator()
            while let argument = iterator.next() {
                switch argument {
                case "--workspace", "-w":
                    guard let value = iterator.next() else { throw UsageError("--workspace needs a directory") }
                    options.workspace = value
                case "--customer":
                    guard let value = iterator.next() else { throw UsageError("--customer needs a customer id") }
                    options.customer = value
                case "--verbose", "-v": options.verbose = true
                case "--help", "-h": rest = ["help"]
                case "--version":
                    print("shoptalk \(version)")
                    return 0
                default: rest.append(argument)
                }
            }
            switch rest.first {
            case nil: return try await runShell(options)
            case "help":
                print(usage)
                return 0
            case "audit": return try audit(Array(rest.dropFirst()), options)
            case "test": return try await TestCommand.test(Array(rest.dropFirst()), options)
            case "run": return try await TestCommand.run(Array(rest.dropFirst()), options)
            case "replay": return try await ReplayCommand.run(Array(rest.dropFirst()), options)
            case "bench": return try await BenchCommand.run(Array(rest.dropFirst()), options)
            case "eval": return try EvalCommand.run(Array(rest.dropFirst()), options)
            case "prompts": return try prompts(Array(rest.dropFirst()), options)
            case let other?:
                throw UsageError("unknown \(other.hasPrefix("-") ? "option" : "command") '\(other)'")
            }
        } catch let error as UsageError {
            report("\(error)\n\n\(usage)")
            return 2
        } catch let error as StoreError {
            report("\(error)")
            return error.isBusy ? 3 : 2
        } catch let error as ModelError {
            report("\(error)")
            return 3
        } catch {
            report("\(error)")
            return 2
        }
    }

    private static func runShell(_ options: GlobalOptions) async throws -> Int32 {
        let engine = try options.openEngine()
        let shell = try Shell(
            engine: engine, customerID: options.customer, style: .forStandardOutput(),
            verbose: options.verbose)
        return await shell.run()
    }

    private static func audit(_ arguments: [String], _ options: GlobalOptions) throws -> Int32 {
        let engine = try options.openEngine()
        switch arguments.first ?? "tail" {
        case "tail":
            let json = arguments.contains("--json")
            let numbers = arguments.dropFirst().filter { $0 != "--json" }
            let count = numbers.first.map { Int($0) } ?? 20
            guard let count, count > 0 else { throw UsageError("audit tail takes a number of entries (and --json)") }
            for entry in try engine.audit.tail(count) {
                if json {
                    print(try jsonLine(entry))
                    continue
                }
                // One tab-separated line an entry.
                let fields = [
                    String(entry.seq), entry.at, entry.kind, entry.sessionID ?? "-", entry.turn.map(String.init) ?? "-",
                    entry.customerID ?? "-", String(entry.hash.prefix(12)),
                ]
                print(fields.joined(separator: "\t"))
            }
            return 0
        case "verify":
            let result = try engine.audit.verify()
            print(result.summary)
            return result.isIntact ? 0 : 1
        default:
            throw UsageError("unknown audit command '\(arguments[0])': expected tail or verify")
        }
    }

    /// One audit entry as a JSON object on one line: its place in the chain, and the stored record under
    /// `record`.
    private static func jsonLine(_ entry: AuditEntry) throws -> String {
        let record = (try? JSONSerialization.jsonObject(with: Data(entry.payload.utf8))) ?? entry.payload
        let object: [String: Any] = [
            "seq": entry.seq, "at": entry.at, "kind": entry.kind, "session_id": entry.sessionID ?? NSNull(),
            "turn": entry.turn ?? NSNull(), "customer_id": entry.customerID ?? NSNull(),
            "prev_hash": entry.previousHash, "hash": entry.hash, "record": record,
        ]
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self)
    }

    private static func prompts(_ arguments: [String], _ options: GlobalOptions) throws -> Int32 {
        let engine = try options.openEngine()
        switch arguments.first ?? "list" {
        case "list":
            for name in engine.prompts.names {
                let labels = try engine.registry.labels(of: name)
                for version in engine.prompts.prompts[name] ?? [] {
                    let tags = labels.filter { $0.value == version.version }.keys.sorted()
                    print("\(version.reference)\t\(tags.joined(separator: ","))\t\(version.description)")
                }
            }
            return 0
        case "show":
            guard arguments.count > 1 else { throw UsageError("prompts show needs NAME@VERSION or NAME@LABEL") }
            print(try engine.registry.resolve(arguments[1]).source, terminator: "")
            return 0
        default:
            throw UsageError("unknown prompts command '\(arguments[0])': expected list or show")
        }
    }

    static func report(_ message: String) {
        FileHandle.standardError.write(Data(("shoptalk: " + message + "\n").utf8))
    }
}

/// Options every subcommand accepts.
struct GlobalOptions {
    var workspace: String?
    var customer: String?
    var verbose = false

    /// The workspace directory: explicit, else the current directory with shoptalk.json, else the sample.
    func workspaceURL() throws -> URL {
        let manager = FileManager.default
        if let workspace {
            return URL(fileURLWithPath: workspace, isDirectory: true).standardizedFileURL
        }
        let current = URL(fileURLWithPath: manager.currentDirectoryPath, isDirectory: true)
        if manager.fileExists(atPath: current.appendingPathComponent("shoptalk.json").path) { return current }
        if let sample = Self.bundledSample() { return sample }
        throw UsageError("no workspace: pass --workspace DIR or run in a directory holding shoptalk.json")
    }

    /// Opens the workspace, reporting warnings such as unknown settings on standard error.
    ///
    /// - Parameter ledgerPath: a ledger apart from the workspace's own, for test runs and benchmarks.
    func openEngine(ledgerPath: String? = nil) throws -> Engine {
        let engine = try Engine(root: try workspaceURL(), ledgerPath: ledgerPath) { ShopTalkCommand.report($0) }
        for warning in engine.warnings { ShopTalkCommand.report("warning: " + warning) }
        return engine
    }

    /// The sample workspace shipped beside the binary: `samples/retailer` in an enclosing directory.
    static func bundledSample() -> URL? {
        let environment = ProcessInfo.processInfo.environment
        if let explicit = environment["SHOPTALK_SAMPLE"] { return URL(fileURLWithPath: explicit, isDirectory: true) }
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
            .deletingLastPathComponent()
        for _ in 0..<6 {
            let candidate = directory.appendingPathComponent("samples/retailer")
            if FileManager.default.fileExists(atPath: candidate.appendingPathComponent("shoptalk.json").path) {
                return candidate
            }
            directory.deleteLastPathComponent()
        }
        return nil
    }
}
