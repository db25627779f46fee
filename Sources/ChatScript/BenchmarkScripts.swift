import Foundation
import ShopTalkKit

/// Generates scripts for benchmarks: signed-in customers asking about their own orders, policies and
/// products, in words drawn from the workspace's own training utterances.
public enum BenchmarkScripts {
    /// `count` scripts of `turns` messages each, the same for the same seed and workspace.
    public static func generate(engine: Engine, count: Int, turns: Int, seed: UInt64 = 1) throws -> [Script] {
        var random = SplitMix64(seed: seed)
        let customers = try engine.index.customerIDs()
        let utterances = try trainingUtterances(engine.root)
        guard !customers.isEmpty, !utterances.isEmpty else { return [] }
        return try (0..<count).map { number in
            let customer = customers[Int(random.next() % UInt64(customers.count))]
            let orders = try engine.index.orders(customerID: customer, limit: 5).map(\.id)
            var script = Script(file: "bench-\(number).chat", name: "bench \(number)")
            script.customer = customer
            for line in 0..<turns {
                let message: String
                if !orders.isEmpty && random.next() % 3 == 0 {
                    message = "where is my order \(orders[Int(random.next() % UInt64(orders.count))])?"
                } else {
                    message = utterances[Int(random.next() % UInt64(utterances.count))]
                }
                script.steps.append(Step(kind: .user(message), line: line + 1, source: "user: \(message)"))
            }
            return script
        }
    }

    private static func trainingUtterances(_ root: URL) throws -> [String] {
        let table = try CSVTable(contentsOf: root.appendingPathComponent("intents.csv"))
        // Requests for a person end a conversation's automation; the benchmark measures the automated path.
        return table.dictionaries.filter { $0.values["intent"] != "human_agent" }.compactMap { $0.values["text"] }
    }
}
