import Foundation

/// The workspace's governed state in `.shoptalk/ledger.sqlite`: the audit log, handoffs, feedback and the
/// prompt registry. Unlike the data index it is never rebuilt, and nothing in it is edited in place.
public final class Ledger: Sendable {
    /// Bumped with each schema change; `migrate()` brings older files up to date.
    static let schemaVersion = 1

    public let database: Database

    /// Opens (creating when needed) the ledger at `path`, durable on every commit.
    public init(path: String) throws {
        database = try Database(path: path)
        if path != ":memory:" { try database.execute("PRAGMA synchronous=FULL") }
        try migrate()
    }

    private func migrate() throws {
        let current = Int(try database.scalarText("PRAGMA user_version") ?? "0") ?? 0
        guard current < Self.schemaVersion else { return }
        try database.transaction {
            try database.execute(
                """
                CREATE TABLE IF NOT EXISTS audit(
                    seq INTEGER PRIMARY KEY,
                    at TEXT NOT NULL,
                    kind TEXT NOT NULL,
                    session_id TEXT,
                    turn INTEGER,
                    customer_id TEXT,
                    payload TEXT NOT NULL,
                    prev_hash TEXT NOT NULL,
                    hash TEXT NOT NULL);
                CREATE INDEX IF NOT EXISTS audit_by_session ON audit(session_id, turn);
                CREATE TABLE IF NOT EXISTS handoffs(
                    id TEXT PRIMARY KEY,
                    session_id TEXT NOT NULL,
                    at TEXT NOT NULL,
                    reason TEXT NOT NULL,
                    customer_id TEXT,
                    packet TEXT NOT NULL);
                CREATE TABLE IF NOT EXISTS feedback(
                    session_id TEXT NOT NULL,
                    turn INTEGER NOT NULL,
                    at TEXT NOT NULL,
                    rating INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 5),
                    comment TEXT);
                CREATE TABLE IF NOT EXISTS prompt_versions(
                    name TEXT NOT NULL,
                    version INTEGER NOT NULL,
                    hash TEXT NOT NULL,
                    published_at TEXT NOT NULL,
                    PRIMARY KEY (name, version));
                CREATE TABLE IF NOT EXISTS prompt_labels(
                    name TEXT NOT NULL,
                    label TEXT NOT NULL,
                    version INTEGER NOT NULL,
                    PRIMARY KEY (name, label));
                PRAGMA user_version = \(Self.schemaVersion);
                """)
        }
    }
}
