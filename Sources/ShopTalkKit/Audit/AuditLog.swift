import Foundation
import Synchronization

/// A record to append: everything but its place in the chain.
public struct AuditRecord: Sendable, Hashable {
    /// `turn`, `handoff`, `feedback`, `prompt`, `override`, `replay`…
    public var kind: String
    public var at: String
    public var sessionID: String?
    public var turn: Int?
    public var customerID: String?
    /// The record as JSON, personal data redacted.
    public var payload: String

    public init(kind: String, at: String, sessionID: String?, turn: Int?, customerID: String?, payload: String) {
        self.kind = kind
        self.at = at
        self.sessionID = sessionID
        self.turn = turn
        self.customerID = customerID
        self.payload = payload
    }
}

/// One entry of the audit log as stored.
public struct AuditEntry: Sendable, Hashable {
    public var seq: Int64
    public var at: String
    /// `turn`, `handoff`, `feedback`, `prompt`, `override`, `replay`…
    public var kind: String
    public var sessionID: String?
    public var turn: Int?
    public var customerID: String?
    /// The record as JSON, personal data redacted.
    public var payload: String
    public var previousHash: String
    public var hash: String
}

/// What `verify()` found.
public struct AuditVerification: Sendable, Hashable {
    public var entries: Int
    /// The first broken entry and why, `nil` when the chain is intact.
    public var problem: (seq: Int64, reason: String)?
    /// Whether the head file beside the ledger was there to show that nothing was removed from the end.
    public var headChecked = false

    public var isIntact: Bool { problem == nil }

    /// One line for a person: where the chain breaks, or that it is whole and how far that was checked.
    public var summary: String {
        if let problem { return "audit log broken at entry \(problem.seq): \(problem.reason)" }
        let head =
            headChecked
            ? "and it reaches the head recorded beside the ledger"
            : "(no head file beside the ledger, so entries removed from the end would go unseen)"
        return "audit log intact: \(entries) entries, hash chain verified \(head)"
    }

    public static func == (lhs: AuditVerification, rhs: AuditVerification) -> Bool {
        lhs.entries == rhs.entries && lhs.problem?.seq == rhs.problem?.seq && lhs.problem?.reason == rhs.problem?.reason
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(entries)
        hasher.combine(problem?.seq)
    }
}

/// The append-only, hash-chained audit log: each entry carries the SHA-256 of the one before it, so an
/// edit, a gap or a reorder is found by `verify()`.
public final class AuditLog: Sendable {
    static let genesis = String(repeating: "0", count: 64)

    private let ledger: Ledger
    private let appender: ChainAppender
    private let writer: GroupCommitWriter

    public init(ledger: Ledger) {
        self.ledger = ledger
        appender = ChainAppender(ledger: ledger)
        writer = GroupCommitWriter(appender: appender)
    }

    /// Appends one record and returns it with its place in the chain, durable when this returns.
    @discardableResult
    public func append(
        kind: String, at: String, sessionID: String?, turn: Int?, customerID: String?, payload: String
    ) throws -> AuditEntry {
        let record = AuditRecord(
            kind: kind, at: at, sessionID: sessionID, turn: turn, customerID: customerID, payload: payload)
        return try append([record])[0]
    }

    /// Appends records in one transaction, so they share one write to disk; returns them sealed, in order.
    public func append(_ records: [AuditRecord]) throws -> [AuditEntry] {
        try appender.append(records)
    }

    /// Appends one record through the group-commit writer: records arriving together from many sessions
    /// share one transaction and one sync to disk. Returns once the record is durable.
    public func record(_ record: AuditRecord) async throws -> AuditEntry {
        try await writer.submit(record)
    }

    /// Walks the whole chain and reports the first entry that does not fit.
    public func verify() throws -> AuditVerification {
        let head: AuditHead?
        switch AuditHead.file(forLedgerAt: ledger.database.path).flatMap(AuditHead.read(from:)) {
        case .success(let recorded): head = recorded
        case .failure:
            return AuditVerification(entries: 0, problem: (0, "the head file beside the ledger is unreadable"))
        case nil: head = nil
        }
        var expectedPrevious = Self.genesis
        var expectedSeq: Int64 = 1
        var count = 0
        for entry in try entries(sql: "SELECT * FROM audit ORDER BY seq", []) {
            count += 1
            if entry.seq != expectedSeq {
                return AuditVerification(
                    entries: count, problem: (entry.seq, "expected entry \(expectedSeq) here: a gap"))
            }
            if entry.previousHash != expectedPrevious {
                return AuditVerification(
                    entries: count, problem: (entry.seq, "does not follow the entry before it: removed or reordered"))
            }
            if Self.hash(of: entry) != entry.hash {
                return AuditVerification(entries: count, problem: (entry.seq, "its content was changed after writing"))
            }
            if let head, entry.seq == head.seq, entry.hash != head.hash {
                return AuditVerification(
                    entries: count, problem: (entry.seq, "differs from the head recorded beside the ledger"))
            }
            expectedPrevious = entry.hash
            expectedSeq += 1
        }
        if let head, head.seq > Int64(count) {
            let missing = head.seq - Int64(count)
            return AuditVerification(
                entries: count,
                problem: (
                    Int64(count) + 1,
                    "the head beside the ledger records entry \(head.seq): \(missing) entr\(missing == 1 ? "y was" : "ies were") removed from the end"
                ))
        }
        return AuditVerification(entries: count, problem: nil, headChecked: head != nil)
    }

    /// The newest `limit` entries, oldest first.
    public func tail(_ limit: Int) throws -> [AuditEntry] {
        try entries(sql: "SELECT * FROM audit ORDER BY seq DESC LIMIT ?", [.integer(Int64(limit))]).reversed()
    }

    /// Every entry of one session, in order.
    public func entries(sessionID: String) throws -> [AuditEntry] {
        try entries(sql: "SELECT * FROM audit WHERE session_id = ? ORDER BY seq", [.text(sessionID)])
    }

    /// The recorded turns of a session.
    public func turns(sessionID: String) throws -> [Turn] {
        let decoder = JSONDecoder()
        return try entries(sessionID: sessionID).filter { $0.kind == "turn" }.map {
            try decoder.decode(Turn.self, from: Data($0.payload.utf8))
        }
    }

    /// Sessions with their first time, customer and number of turns, newest first.
    public func sessions(limit: Int = 20) throws -> [(id: String, started: String, customerID: String?, turns: Int)] {
        try ledger.database.query(
            """
            SELECT session_id, MIN(at) AS started, MAX(customer_id) AS customer_id, COUNT(*) AS turns
            FROM audit WHERE kind = 'turn' AND session_id IS NOT NULL
            GROUP BY session_id ORDER BY MIN(seq) DESC LIMIT ?
            """, [.integer(Int64(limit))]
        ).map {
            (
                $0["session_id"].text ?? "", $0["started"].text ?? "", $0["customer_id"].text,
                Int($0["turns"].integer ?? 0)
            )
        }
    }

    private func entries(sql: String, _ bindings: [SQLValue]) throws -> [AuditEntry] {
        try ledger.database.query(sql, bindings).map { row in
            AuditEntry(
                seq: row["seq"].integer ?? 0, at: row["at"].text ?? "", kind: row["kind"].text ?? "",
                sessionID: row["session_id"].text, turn: row["turn"].integer.map { Int($0) },
                customerID: row["customer_id"].text, payload: row["payload"].text ?? "",
                previousHash: row["prev_hash"].text ?? "", hash: row["hash"].text ?? "")
        }
    }

    static func hash(of entry: AuditEntry) -> String {
        let fields = [
            entry.previousHash, String(entry.seq), entry.at, entry.kind, entry.sessionID ?? "",
            entry.turn.map(String.init) ?? "", entry.customerID ?? "", entry.payload,
        ]
        return Digest.sha256Hex(fields.joined(separator: "\u{1e}"))
    }
}

/// Seals records into the hash chain and inserts them; shared by direct appends and the group-commit writer.
final class ChainAppender: Sendable {
    private let ledger: Ledger
    /// Serialises appends in this process; the IMMEDIATE transaction does it across processes.
    private let appending = Mutex(())

    init(ledger: Ledger) {
        self.ledger = ledger
    }

    /// Appends records in one transaction, so they share one write to disk; returns them sealed, in order.
    func append(_ records: [AuditRecord]) throws -> [AuditEntry] {
        try appending.withLock { _ in
            let sealed = try ledger.database.transaction {
                let last = try ledger.database.query("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1").first
                var seq = last?["seq"].integer ?? 0
                var previous = last?["hash"].text ?? AuditLog.genesis
                var sealed: [AuditEntry] = []
                sealed.reserveCapacity(records.count)
                for record in records {
                    seq += 1
                    var entry = AuditEntry(
                        seq: seq, at: record.at, kind: record.kind, sessionID: record.sessionID, turn: record.turn,
                        customerID: record.customerID, payload: record.payload, previousHash: previous, hash: "")
                    entry.hash = AuditLog.hash(of: entry)
                    try ledger.database.run(
                        "INSERT INTO audit VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        [
                            .integer(seq), .text(entry.at), .text(entry.kind), entry.sessionID.sqlValue,
                            entry.turn.map { .integer(Int64($0)) } ?? .null, entry.customerID.sqlValue,
                            .text(entry.payload), .text(previous), .text(entry.hash),
                        ])
                    previous = entry.hash
                    sealed.append(entry)
                }
                return sealed
            }
            // After the commit, so the head never names an entry the ledger lacks. A head that could not be
            // written leaves the older one, which the next verify still checks as far as it goes.
            if let last = sealed.last, let file = AuditHead.file(forLedgerAt: ledger.database.path) {
                try? AuditHead(seq: last.seq, hash: last.hash).write(to: file)
            }
            return sealed
        }
    }
}
