import Foundation
import Testing

@testable import ShopTalkKit

@Suite("Audit log")
struct AuditLogTests {
    private static let genesis = String(repeating: "0", count: 64)

    @discardableResult
    private func appendThree(_ log: AuditLog) throws -> [AuditEntry] {
        try (1...3).map { (index: Int) in
            try log.append(
                kind: "turn", at: "2026-12-01T10:0\(index):00Z", sessionID: "S-1", turn: index,
                customerID: "C-001", payload: #"{"turn":\#(index)}"#)
        }
    }

    @Test func appendsFormAChain() throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        let log = AuditLog(ledger: try Ledger(path: directory.path("ledger.sqlite")))
        let entries = try appendThree(log)
        #expect(entries.map(\.seq) == [1, 2, 3])
        #expect(entries[0].previousHash == Self.genesis)
        #expect(entries[1].previousHash == entries[0].hash)
        #expect(entries[2].previousHash == entries[1].hash)
        #expect(Set(entries.map(\.hash)).count == 3)
        #expect(entries.allSatisfy { $0.hash.count == 64 })
        #expect(try log.verify() == AuditVerification(entries: 3, problem: nil))
        #expect(try log.tail(2).map(\.seq) == [2, 3])
        #expect(try log.entries(sessionID: "S-1") == entries)
    }

    @Test func anEmptyLogVerifies() throws {
        let log = AuditLog(ledger: try Ledger(path: ":memory:"))
        let verification = try log.verify()
        #expect(verification.isIntact)
        #expect(verification.entries == 0)
    }

    @Test func verifyFindsAnEditedPayload() throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        let ledger = try Ledger(path: directory.path("ledger.sqlite"))
        let log = AuditLog(ledger: ledger)
        try appendThree(log)
        try ledger.database.run("UPDATE audit SET payload = ? WHERE seq = 2", [.text(#"{"turn":99}"#)])
        let verification = try log.verify()
        #expect(!verification.isIntact)
        #expect(verification.problem?.seq == 2)
        #expect(verification.problem?.reason.contains("changed") == true)
    }

    @Test func verifyFindsAnEditedCustomer() throws {
        let ledger = try Ledger(path: ":memory:")
        let log = AuditLog(ledger: ledger)
        try appendThree(log)
        try ledger.database.run("UPDATE audit SET customer_id = 'C-002' WHERE seq = 3")
        #expect(try log.verify().problem?.seq == 3)
    }

    @Test func verifyFindsEntriesRemovedFromTheEndThroughTheHeadBesideTheLedger() throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        let ledger = try Ledger(path: directory.path("ledger.sqlite"))
        let log = AuditLog(ledger: ledger)
        try appendThree(log)
        #expect(try log.verify().headChecked)

        // The chain that is left is whole; only the head knows it once went further.
        try ledger.database.run("DELETE FROM audit WHERE seq >= 2")
        let verification = try log.verify()
        #expect(verification.problem?.seq == 2)
        #expect(verification.problem?.reason.contains("2 entries were removed from the end") == true)
        #expect(verification.summary.hasPrefix("audit log broken at entry 2"))

        // Without a head the same log verifies, and says what it could not check.
        try FileManager.default.removeItem(atPath: directory.path("ledger.sqlite.head"))
        let unanchored = try log.verify()
        #expect(unanchored.isIntact && !unanchored.headChecked)
        #expect(unanchored.summary.contains("entries removed from the end would go unseen"))
    }

    @Test func verifyFindsAnEntryRewrittenWithItsHashAtTheHead() throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        let ledger = try Ledger(path: directory.path("ledger.sqlite"))
        let log = AuditLog(ledger: ledger)
        let entries = try appendThree(log)
        // A rewritten last entry with a freshly computed hash keeps the chain whole, but not the head.
        var forged = entries[2]
        forged.payload = #"{"turn":99}"#
        forged.hash = AuditLog.hash(of: forged)
        try ledger.database.run(
            "UPDATE audit SET payload = ?, hash = ? WHERE seq = 3", [.text(forged.payload), .text(forged.hash)])
        #expect(try log.verify().problem?.seq == 3)
    }

    @Test func verifyFindsADeletedMiddleRow() throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        let ledger = try Ledger(path: directory.path("ledger.sqlite"))
        let log = AuditLog(ledger: ledger)
        try appendThree(log)
        try ledger.database.run("DELETE FROM audit WHERE seq = 2")
        let verification = try log.verify()
        #expect(verification.problem?.seq == 3)
        #expect(verification.problem?.reason.contains("gap") == true)
    }

    @Test func verifyFindsADeletedFirstRow() throws {
        let ledger = try Ledger(path: ":memory:")
        let log = AuditLog(ledger: ledger)
        try appendThree(log)
        try ledger.database.run("DELETE FROM audit WHERE seq = 1")
        #expect(try log.verify().problem?.seq == 2)
    }

    @Test func verifyFindsSwappedRows() throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        let ledger = try Ledger(path: directory.path("ledger.sqlite"))
        let log = AuditLog(ledger: ledger)
        try appendThree(log)
        try ledger.database.transaction {
            try ledger.database.run("UPDATE audit SET seq = -1 WHERE seq = 2")
            try ledger.database.run("UPDATE audit SET seq = 2 WHERE seq = 3")
            try ledger.database.run("UPDATE audit SET seq = 3 WHERE seq = -1")
        }
        let verification = try log.verify()
        #expect(verification.problem?.seq == 2)
        #expect(verification.problem?.reason.contains("reordered") == true)
    }

    @Test func recordsSurviveReopeningTheFile() throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        let path = directory.path("ledger.sqlite")
        let written: [AuditEntry]
        do {
            written = try appendThree(AuditLog(ledger: try Ledger(path: path)))
        }
        let log = AuditLog(ledger: try Ledger(path: path))
        #expect(try log.tail(10) == written)
        let next = try log.append(
            kind: "feedback", at: "2026-12-01T11:00:00Z", sessionID: nil, turn: nil, customerID: nil, payload: "{}")
        #expect(next.seq == 4)
        #expect(next.previousHash == written[2].hash)
        #expect(try log.verify() == AuditVerification(entries: 4, problem: nil))
    }

    @Test func concurrentAppendsKeepTheChainIntact() async throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        let log = AuditLog(ledger: try Ledger(path: directory.path("ledger.sqlite")))
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<16 {
                group.addTask {
                    try log.append(
                        kind: "turn", at: "2026-12-01T10:00:00Z", sessionID: "S-\(index)", turn: 1, customerID: nil,
                        payload: "{}")
                }
            }
            try await group.waitForAll()
        }
        #expect(try log.verify() == AuditVerification(entries: 16, problem: nil))
    }

    @Test func handoffQueueStoresAndReadsBackAPacket() throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        let queue = HandoffQueue(ledger: try Ledger(path: directory.path("ledger.sqlite")))
        let packet = HandoffPacket(
            id: "H-1", sessionID: "S-1", customerID: "C-001", at: "2026-12-01T10:00:00Z", reason: "human_requested",
            intent: "complaint", entities: [Entity(kind: "order_id", value: "HL-482913", text: "482913")],
            retrieved: [RetrievedItem(kind: "order", id: "HL-482913", version: "abc", score: nil)],
            transcript: [
                .init(role: "customer", text: "a person please"), .init(role: "assistant", text: "Of course."),
            ])
        let later = HandoffPacket(
            id: "H-2", sessionID: "S-2", customerID: nil, at: "2026-12-01T11:00:00Z", reason: "repeated_fallback",
            intent: nil, entities: [], retrieved: [], transcript: [])
        try queue.file(packet)
        try queue.file(later)
        #expect(try queue.packet(id: "H-1") == packet)
        #expect(try queue.packet(id: "H-9") == nil)
        #expect(try queue.recent().map(\.id) == ["H-2", "H-1"])
        #expect(try queue.recent(limit: 1).map(\.id) == ["H-2"])
    }

    @Test func aHandoffIDIsFiledOnce() throws {
        let queue = HandoffQueue(ledger: try Ledger(path: ":memory:"))
        let packet = HandoffPacket(
            id: "H-1", sessionID: "S-1", customerID: nil, at: "2026-12-01T10:00:00Z", reason: "shell_command",
            intent: nil, entities: [], retrieved: [], transcript: [])
        try queue.file(packet)
        #expect(throws: StoreError.self) { try queue.file(packet) }
    }

    @Test func feedbackSummaryCountsAndAverages() throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        let feedback = FeedbackLog(ledger: try Ledger(path: directory.path("ledger.sqlite")))
        let empty = try feedback.summary()
        #expect(empty.count == 0)
        #expect(empty.mean == nil)
        for (turn, rating) in [(1, 5), (2, 2), (3, 4), (4, 4)] {
            let comment = turn == 2 ? "slow" : nil
            let at = "2026-12-01T1\(turn):00:00Z"
            try feedback.rate(sessionID: "S-1", turn: turn, rating: rating, comment: comment, at: at)
        }
        let summary = try feedback.summary()
        #expect(summary.count == 4)
        #expect(summary.mean == 3.75)
    }
}
