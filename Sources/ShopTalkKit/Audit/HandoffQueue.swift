import Foundation

/// What a person taking over a conversation receives: everything needed not to ask the customer again.
public struct HandoffPacket: Codable, Sendable, Hashable {
    /// One line of the transcript.
    public struct Line: Codable, Sendable, Hashable {
        /// `customer` or `assistant`.
        public var role: String
        public var text: String
    }

    public var id: String
    public var sessionID: String
    public var customerID: String?
    public var at: String
    /// `human_requested`, `repeated_fallback`, `human_only_intent`, `shell_command`…
    public var reason: String
    public var intent: String?
    public var entities: [Entity]
    public var retrieved: [RetrievedItem]
    public var transcript: [Line]
}

/// Handoffs waiting for a person, stored in the ledger.
public struct HandoffQueue: Sendable {
    let ledger: Ledger

    public init(ledger: Ledger) {
        self.ledger = ledger
    }

    /// Stores the packet; its text must already be redacted.
    public func file(_ packet: HandoffPacket) throws {
        let data = try JSONEncoder.sorted.encode(packet)
        try ledger.database.run(
            "INSERT INTO handoffs VALUES (?, ?, ?, ?, ?, ?)",
            [
                .text(packet.id), .text(packet.sessionID), .text(packet.at), .text(packet.reason),
                packet.customerID.sqlValue, .text(String(decoding: data, as: UTF8.self)),
            ])
    }

    /// The packet with this id.
    public func packet(id: String) throws -> HandoffPacket? {
        try ledger.database.scalarText("SELECT packet FROM handoffs WHERE id = ?", [.text(id)]).map {
            try JSONDecoder().decode(HandoffPacket.self, from: Data($0.utf8))
        }
    }

    /// The newest packets first.
    public func recent(limit: Int = 20) throws -> [HandoffPacket] {
        try ledger.database.query(
            "SELECT packet FROM handoffs ORDER BY at DESC, rowid DESC LIMIT ?",
            [.integer(Int64(limit))]
        ).compactMap { row in
            try row.values.first?.text.map { try JSONDecoder().decode(HandoffPacket.self, from: Data($0.utf8)) }
        }
    }
}

/// Customers' and testers' ratings of replies.
public struct FeedbackLog: Sendable {
    let ledger: Ledger

    public init(ledger: Ledger) {
        self.ledger = ledger
    }

    /// Records a 1–5 rating of a turn.
    public func rate(sessionID: String, turn: Int, rating: Int, comment: String?, at: String) throws {
        precondition((1...5).contains(rating), "ratings are validated by the caller")
        try ledger.database.run(
            "INSERT INTO feedback VALUES (?, ?, ?, ?, ?)",
            [.text(sessionID), .integer(Int64(turn)), .text(at), .integer(Int64(rating)), comment.sqlValue])
    }

    /// The number of ratings and their mean.
    public func summary() throws -> (count: Int, mean: Double?) {
        let row = try ledger.database.query("SELECT COUNT(*) AS n, AVG(rating) AS mean FROM feedback").first
        return (Int(row?["n"].integer ?? 0), row?["mean"].real)
    }
}

extension JSONEncoder {
    /// An encoder with sorted keys, so the same record always hashes the same.
    public static var sorted: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }
}
