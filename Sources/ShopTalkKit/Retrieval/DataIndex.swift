import Foundation

/// The workspace's orders, customers, catalogue and knowledge base, imported into SQLite.
///
/// The index lives in `.shoptalk/index.sqlite` and is rebuilt only when a source file changes,
/// so a warm start opens it without reading any CSV.
public final class DataIndex: Sendable {
    /// Bumped whenever the schema below changes, so old indexes are rebuilt.
    static let schemaVersion = "4"

    let database: Database

    init(database: Database) {
        self.database = database
    }

    /// Opens the index of the workspace at `root`, building it first when its sources changed.
    public static func open(root: URL, stateDirectory: URL) throws -> DataIndex {
        let sources = try SourceFiles(root: root)
        let path = stateDirectory.appendingPathComponent("index.sqlite").path
        if FileManager.default.fileExists(atPath: path), let existing = try? Database(path: path, readOnly: true),
            (try? existing.scalarText("SELECT value FROM meta WHERE key = 'fingerprint'")) == sources.fingerprint
        {
            return DataIndex(database: existing)
        }
        try FileManager.default.createDirectory(at: stateDirectory, withIntermediateDirectories: true)

        // Built beside the live file and renamed over it, so a concurrent reader never sees half an index.
        let temporary = path + ".\(ProcessInfo.processInfo.processIdentifier).tmp"
        try? FileManager.default.removeItem(atPath: temporary)
        do {
            let building = try Database(path: temporary)
            try IndexBuilder(database: building, sources: sources).build()
            try building.execute("PRAGMA journal_mode=DELETE")
        }
        for suffix in ["-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        guard rename(temporary, path) == 0 else {
            throw WorkspaceError.unreadable(file: path, reason: "cannot replace the index (errno \(errno))")
        }
        return DataIndex(database: try Database(path: path, readOnly: true))
    }

    /// Builds an index in memory, for tests and benchmarks that must not touch the workspace.
    public static func inMemory(root: URL) throws -> DataIndex {
        let database = try Database(path: ":memory:")
        try IndexBuilder(database: database, sources: try SourceFiles(root: root)).build()
        return DataIndex(database: database)
    }
}

/// The source files an index is built from, with a fingerprint over their contents.
struct SourceFiles {
    var root: URL
    var catalog: URL
    var customers: URL
    var orders: URL
    var knowledge: [URL]
    var fingerprint: String

    init(root: URL) throws {
        self.root = root
        catalog = root.appendingPathComponent("catalog.csv")
        customers = root.appendingPathComponent("customers.csv")
        orders = root.appendingPathComponent("orders.csv")
        let folder = root.appendingPathComponent("knowledge")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        knowledge = names.filter { $0.hasSuffix(".md") }.sorted().map { folder.appendingPathComponent($0) }

        var material = Data("schema \(DataIndex.schemaVersion)\n".utf8)
        for url in [catalog, customers, orders] + knowledge {
            material.append(Data(url.lastPathComponent.utf8))
            material.append(Data(Digest.sha256((try? Data(contentsOf: url)) ?? Data())))
        }
        fingerprint = Digest.sha256Hex(material)
    }
}
