import ChatScript
import Foundation
import ShopTalkKit

/// `shoptalk bench`: generated scripts through the whole pipeline with the built-in model, every turn
/// durably audited, reporting throughput and turn latency.
enum BenchCommand {
    static func run(_ arguments: [String], _ global: GlobalOptions) async throws -> Int32 {
        var scripts = 1000
        var turns = 10
        var jobs = 64
        var iterator = arguments.makeIterator()
        func number(_ flag: String) throws -> Int {
            guard let value = iterator.next().flatMap({ Int($0) }), value > 0 else {
                throw UsageError("\(flag) takes a positive number")
            }
            return value
        }
        while let argument = iterator.next() {
            switch argument {
            case "--scripts": scripts = try number(argument)
            case "--turns": turns = try number(argument)
            case "--jobs": jobs = try number(argument)
            default: throw UsageError("unknown option '\(argument)' for bench (--scripts N, --turns N, --jobs N)")
            }
        }
        return try await TestCommand.withScratchLedger { ledger in
            let engine = try global.openEngine(ledgerPath: ledger)
            let generated = try BenchmarkScripts.generate(engine: engine, count: scripts, turns: turns)
            // One untimed script warms lazily built state (article topics, prepared statements).
            _ = await ScriptRunner(engine: engine).run(generated[0])

            let started = ContinuousClock.now
            let results = await TestSuite(scripts: generated).run(with: ScriptRunner(engine: engine), jobs: jobs)
            let elapsed = ContinuousClock.now - started
            let seconds = elapsed.seconds

            let turnsRun = results.flatMap { $0.flatMap(\.turns) }
            let latencies = turnsRun.map(\.latencyMicros).sorted()
            let errors = results.flatMap { $0 }.compactMap(\.error)
            let verification = try engine.audit.verify()
            func quantile(_ q: Double) -> Double {
                guard !latencies.isEmpty else { return 0 }
                return Double(latencies[min(latencies.count - 1, Int(Double(latencies.count - 1) * q))]) / 1000
            }
            print("scripts: \(scripts) × \(turns) turns, \(min(jobs, scripts)) at once, model builtin")
            print(
                String(
                    format: "turns: %d in %.2f s = %.0f turns/s", latencies.count, seconds,
                    Double(latencies.count) / seconds))
            print(
                String(
                    format: "turn latency: p50 %.3f ms, p90 %.3f ms, p99 %.3f ms, max %.3f ms",
                    quantile(0.5), quantile(0.9), quantile(0.99), quantile(1)))
            print(
                "audit: \(verification.entries) records, WAL with synchronous=FULL, chain "
                    + (verification.isIntact ? "verified" : "BROKEN"))
            // Where a turn's time goes, stage by stage: the median of each stage's own time.
            var stages: [String: [Int]] = [:]
            var order: [String] = []
            for turn in turnsRun {
                for timing in turn.timings {
                    if stages[timing.stage] == nil { order.append(timing.stage) }
                    stages[timing.stage, default: []].append(timing.micros)
                }
            }
            let breakdown = order.map { stage -> String in
                let values = stages[stage, default: []].sorted()
                return "\(stage) \(values[values.count / 2])"
            }
            print("stage medians (µs): " + breakdown.joined(separator: ", "))
            if !errors.isEmpty { print("errors: \(errors.count), first: \(errors[0])") }
            return errors.isEmpty && verification.isIntact ? 0 : 1
        }
    }
}
