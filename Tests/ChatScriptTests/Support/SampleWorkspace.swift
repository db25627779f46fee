import Foundation
import ShopTalkKit

/// The bundled sample workspace, opened with its state in temporary directories.
enum SampleWorkspace {
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
        .appendingPathComponent("samples/retailer")

    /// Index and trained classifier, built once for the whole test run: training is slow in a debug build.
    private static let warmState: URL = {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "shoptalk-warm-\(UUID().uuidString)")
        _ = try? Engine(root: root, stateDirectory: directory, ledgerPath: ":memory:", environment: [:])
        return directory
    }()

    /// An engine over the sample with the shared warm index and its own ledger in a new temporary directory.
    static func engine() throws -> Engine {
        let ledger = FileManager.default.temporaryDirectory.appendingPathComponent(
            "shoptalk-\(UUID().uuidString).sqlite")
        return try Engine(root: root, stateDirectory: warmState, ledgerPath: ledger.path, environment: [:])
    }
}
