import Foundation
import ShopTalkKit

/// The bundled sample workspace, opened with its state in temporary directories; shared by the test targets.
public enum SampleWorkspace {
    public static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("samples/retailer")

    /// Index and trained classifier, built once for the whole test run: training is slow in a debug build.
    private static let warmState: URL = {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "shoptalk-warm-\(UUID().uuidString)")
        _ = try? Engine(root: root, stateDirectory: directory, ledgerPath: ":memory:", environment: [:])
        return directory
    }()

    /// An engine over the sample with the shared warm index and its own ledger in a new temporary directory.
    public static func engine() throws -> Engine {
        let ledger = FileManager.default.temporaryDirectory.appendingPathComponent(
            "shoptalk-\(UUID().uuidString).sqlite")
        return try Engine(root: root, stateDirectory: warmState, ledgerPath: ledger.path, environment: [:])
    }

    /// The rows of `orders.csv`, read independently of the engine: order id to columns.
    public static func orders() throws -> [String: [String: String]] {
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
