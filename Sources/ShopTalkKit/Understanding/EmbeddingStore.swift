import Foundation

/// Sentence embeddings already fetched, kept in an SQLite file (`.shoptalk/embeddings.sqlite`) so that
/// retraining after an edit to `intents.csv`, or another evaluation run, asks the backend only for new texts.
///
/// A vector is keyed by the SHA-256 of the backend's URL, its model and the text, so changing either setting
/// never reuses another model's vectors. Training texts are stored as vectors only, never as text.
public final class EmbeddingStore: Sendable {
    private let database: Database

    public init(path: String) throws {
        database = try Database(path: path)
        try database.execute(
            "CREATE TABLE IF NOT EXISTS embeddings (key TEXT PRIMARY KEY, vector BLOB NOT NULL) WITHOUT ROWID")
    }

    /// The embedding of every text, in order: stored ones read back, the others fetched from `client` and
    /// stored. `fetched` is told how many texts had to be fetched.
    public func vectors(
        for texts: [String], from client: EmbeddingsClient, fetched: (Int) -> Void = { _ in }
    ) throws -> [[Float]] {
        let keys = texts.map { Digest.sha256Hex("\(client.baseURL.absoluteString)\u{0}\(client.model)\u{0}\($0)") }
        var found: [String: [Float]] = [:]
        for key in Set(keys) {
            let rows = try database.query("SELECT vector FROM embeddings WHERE key = ?", [.text(key)])
            if case .blob(let data)? = rows.first?.values.first {
                found[key] = Self.floats(data)
            }
        }
        var missing: [(key: String, text: String)] = []
        var queued = Set<String>()
        for (key, text) in zip(keys, texts) where found[key] == nil && queued.insert(key).inserted {
            missing.append((key, text))
        }
        fetched(missing.count)
        if !missing.isEmpty {
            let vectors = try client.embedAll(missing.map(\.text))
            try database.transaction {
                for (item, vector) in zip(missing, vectors) {
                    found[item.key] = vector
                    _ = try database.run(
                        "INSERT OR REPLACE INTO embeddings (key, vector) VALUES (?, ?)",
                        [.text(item.key), .blob(vector.withUnsafeBytes { Data($0) })])
                }
            }
        }
        return keys.map { found[$0] ?? [] }
    }

    private static func floats(_ data: Data) -> [Float] {
        data.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
    }
}
