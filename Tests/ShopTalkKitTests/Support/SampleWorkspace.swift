import Foundation
import ShopTalkKit

/// The bundled sample workspace, opened with its state in a fresh temporary directory.
enum SampleWorkspace {
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("samples/retailer")

    /// An engine over the sample whose ledger and index live in a new temporary directory.
    static func engine() throws -> Engine {
        let state = FileManager.default.temporaryDirectory.appendingPathComponent("shoptalk-\(UUID().uuidString)")
        return try Engine(root: root, stateDirectory: state, environment: [:])
    }

    /// The rows of `orders.csv`, read independently of the engine: order id to columns.
    static func orders() throws -> [String: [String: String]] {
        let lines = try String(contentsOf: root.appendingPathComponent("orders.csv"), encoding: .utf8)
            .split(separator: "\n").map(String.init)
        let header = lines[0].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        var orders: [String: [String: String]] = [:]
        for line in lines.dropFirst() {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            let row = Dictionary(uniqueKeysWithValues: zip(header, fields))
            orders[row["order_id"]!] = row
        }
        return orders
    }
}
