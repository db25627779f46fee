import Foundation
import Testing

@testable import ShopTalkKit

@Suite("Database")
struct DatabaseTests {
    private struct Abandon: Error {}

    @Test func fileDatabaseOpensInWALMode() throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        let database = try Database(path: directory.path("store.sqlite"))
        #expect(try database.scalarText("PRAGMA journal_mode")?.lowercased() == "wal")
        #expect(FileManager.default.fileExists(atPath: directory.path("store.sqlite")))
    }

    @Test func foreignKeysAreEnforced() throws {
        let database = try Database(path: ":memory:")
        #expect(try database.scalarText("PRAGMA foreign_keys") == "1")
    }

    @Test func everyValueKindRoundTrips() throws {
        let database = try Database(path: ":memory:")
        try database.execute("CREATE TABLE t(id INTEGER PRIMARY KEY, v)")
        let values: [SQLValue] = [
            .null, .integer(Int64.min), .integer(Int64.max), .integer(0), .real(-2.5), .real(1e-300),
            .text(""), .text("Ünïcødé 🛒 \"quoted\" 'single'"), .blob(Data([0x00, 0x01, 0x7f, 0x80, 0xff])),
        ]
        for (offset, value) in values.enumerated() {
            try database.run("INSERT INTO t(id, v) VALUES (?, ?)", [.integer(Int64(offset)), value])
        }
        let rows = try database.query("SELECT v FROM t ORDER BY id")
        #expect(rows.map { $0["v"] } == values)
    }

    @Test func emptyBlobRoundTripsAsABlob() throws {
        let database = try Database(path: ":memory:")
        let rows = try database.query("SELECT ? AS v, typeof(?) AS type", [.blob(Data()), .blob(Data())])
        #expect(rows.first?["v"] == .blob(Data()))
        #expect(rows.first?["type"] == .text("blob"))
    }

    @Test func rowsAreReadByColumnName() throws {
        let database = try Database(path: ":memory:")
        let row = try #require(try database.query("SELECT 1 AS one, 'two' AS two").first)
        #expect(row.columns == ["one", "two"])
        #expect(row["two"] == .text("two"))
        #expect(row["missing"] == .null)
    }

    @Test func aFailedStatementThrowsTheExtendedCodeAndTheSQL() throws {
        let database = try Database(path: ":memory:")
        try database.execute("CREATE TABLE t(k TEXT UNIQUE)")
        let insert = "INSERT INTO t VALUES (?)"
        try database.run(insert, ["a"])
        let error = try #require(throws: StoreError.self) { try database.run(insert, ["a"]) }
        // 2067 is SQLITE_CONSTRAINT_UNIQUE; its primary code is SQLITE_CONSTRAINT (19).
        #expect(error.code == 2067)
        #expect(error.code & 0xff == 19)
        #expect(error.sql == insert)
        #expect(error.message.contains("UNIQUE"))
        #expect(!error.isBusy)
        #expect(error.description.contains(insert))
    }

    @Test func aStatementThatDoesNotPrepareNamesItsSQL() throws {
        let database = try Database(path: ":memory:")
        let sql = "SELECT * FROM nowhere"
        let error = try #require(throws: StoreError.self) { try database.query(sql) }
        #expect(error.code == 1)
        #expect(error.sql == sql)
        #expect(error.message.contains("nowhere"))
    }

    @Test func executeFailuresCarryTheExtendedCode() throws {
        let database = try Database(path: ":memory:")
        try database.execute("CREATE TABLE t(k TEXT NOT NULL)")
        let sql = "INSERT INTO t VALUES (NULL)"
        let error = try #require(throws: StoreError.self) { try database.execute(sql) }
        // 1299 is SQLITE_CONSTRAINT_NOTNULL.
        #expect(error.code == 1299)
        #expect(error.sql == sql)
    }

    @Test func transactionRollsBackWhenTheBodyThrows() throws {
        let database = try Database(path: ":memory:")
        try database.execute("CREATE TABLE t(v INTEGER)")
        try database.run("INSERT INTO t VALUES (1)")
        #expect(throws: Abandon.self) {
            try database.transaction {
                try database.run("INSERT INTO t VALUES (2)")
                try database.run("DELETE FROM t WHERE v = 1")
                throw Abandon()
            }
        }
        #expect(try database.query("SELECT v FROM t").map { $0["v"] } == [.integer(1)])

        // The connection is usable for a new transaction afterwards.
        let inserted = try database.transaction { try database.run("INSERT INTO t VALUES (3)") }
        #expect(inserted == 1)
        #expect(try database.scalarText("SELECT group_concat(v) FROM t") == "1,3")
    }

    @Test func cachedStatementsAreReusableAcrossCalls() throws {
        let database = try Database(path: ":memory:")
        try database.execute("CREATE TABLE t(k TEXT, v INTEGER)")
        for (key, value) in [("a", 1), ("b", 2), ("c", 3)] {
            try database.run("INSERT INTO t VALUES (?, ?)", [.text(key), .integer(Int64(value))])
        }
        let select = "SELECT v FROM t WHERE k = ?"
        #expect(try database.query(select, ["b"]).map { $0["v"] } == [.integer(2)])
        #expect(try database.query(select, ["c"]).map { $0["v"] } == [.integer(3)])
        #expect(try database.query(select, ["z"]).isEmpty)
        #expect(try database.query(select, ["a"]).map { $0["v"] } == [.integer(1)])
    }

    @Test func aStatementIsResetAndUnboundAfterItsBodyThrows() throws {
        let database = try Database(path: ":memory:")
        let sql = "SELECT ? AS v"
        #expect(throws: Abandon.self) {
            try database.withStatement(sql) { statement in
                try statement.bind([.integer(7)])
                _ = try statement.step()
                throw Abandon()
            }
        }
        // Stepping again starts from the top, and the earlier binding is gone.
        let row = try database.withStatement(sql) { statement -> Row? in
            try statement.step() ? statement.row() : nil
        }
        #expect(row?["v"] == .null)
        #expect(try database.query(sql, [.integer(8)]).first?["v"] == .integer(8))
    }

    @Test func lastInsertRowIDFollowsInserts() throws {
        let database = try Database(path: ":memory:")
        try database.execute("CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT)")
        try database.run("INSERT INTO t(id, v) VALUES (41, 'x')")
        try database.run("INSERT INTO t(v) VALUES ('y')")
        #expect(database.lastInsertRowID == 42)
    }

    @Test func readOnlyOpenOfAMissingFileFailsNamingThePath() throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        let path = directory.path("absent.sqlite")
        let error = try #require(throws: StoreError.self) { try Database(path: path, readOnly: true) }
        #expect(error.path == path)
        #expect(!FileManager.default.fileExists(atPath: path))
    }
}
