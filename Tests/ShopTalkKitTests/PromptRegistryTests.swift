import Foundation
import Testing

@testable import ShopTalkKit

@Suite("Prompt registry")
struct PromptRegistryTests {
    private static let now = "2026-12-01T10:00:00Z"

    private static func version(_ number: Int, _ body: String, name: String = "support") throws -> PromptVersion {
        try PromptVersion(
            name: name, version: number, source: "---\nmodel: builtin\n---\n[user]\n\(body)\n",
            file: "prompts/\(name)/v\(number).prompt")
    }

    private static func library() throws -> PromptLibrary {
        PromptLibrary(versions: [
            try version(3, "third {{message}}"), try version(1, "first {{message}}"),
            try version(2, "second {{message}}"), try version(1, "greet", name: "welcome"),
        ])
    }

    @Test func libraryOrdersVersionsAndListsReferences() throws {
        let library = try Self.library()
        #expect(library.names == ["support", "welcome"])
        #expect(library.prompts["support"]?.map(\.version) == [1, 2, 3])
        #expect(library.latest("support")?.version == 3)
        #expect(library.version("support", 2)?.reference == "support@v2")
        #expect(library.version("support", 9) == nil)
        #expect(library.references == ["support@v1", "support@v2", "support@v3", "welcome@v1"])
    }

    @Test func resolvesEveryReferenceForm() throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        let ledger = try Ledger(path: directory.path("ledger.sqlite"))
        let registry = try PromptRegistry(ledger: ledger, library: try Self.library(), now: Self.now)
        #expect(try registry.resolve("support@v2").version == 2)
        #expect(try registry.resolve("support@1").version == 1)
        #expect(try registry.resolve("support@production").version == 3)
        #expect(try registry.resolve("support").version == 3)
        #expect(try registry.resolve("welcome").reference == "welcome@v1")
        #expect(registry.modified.isEmpty)
    }

    @Test func labelsStoredInTheLedgerAreFollowed() throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        let ledger = try Ledger(path: directory.path("ledger.sqlite"))
        let registry = try PromptRegistry(ledger: ledger, library: try Self.library(), now: Self.now)
        try ledger.database.run("INSERT INTO prompt_labels VALUES ('support', 'production', 1)")
        try ledger.database.run("INSERT INTO prompt_labels VALUES ('support', 'staging', 2)")
        #expect(try registry.labels(of: "support") == ["production": 1, "staging": 2])
        #expect(try registry.resolve("support").version == 1)
        #expect(try registry.resolve("support@staging").version == 2)
        #expect(try registry.resolve("support@v3").version == 3)
    }

    @Test func unknownNamesVersionsAndLabelsAreErrors() throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        let ledger = try Ledger(path: directory.path("ledger.sqlite"))
        let registry = try PromptRegistry(ledger: ledger, library: try Self.library(), now: Self.now)
        #expect(throws: PromptError.unknownPrompt("nope", known: ["support", "welcome"])) {
            try registry.resolve("nope@v1")
        }
        #expect(throws: PromptError.unknownVersion("support@v9", known: ["support@v1", "support@v2", "support@v3"])) {
            try registry.resolve("support@v9")
        }
        #expect(throws: PromptError.unknownLabel("support@staging", known: ["production"])) {
            try registry.resolve("support@staging")
        }
        #expect(throws: PromptError.badReference("")) { try registry.resolve("") }
    }

    @Test
    func aReferenceWithoutANameIsBad() throws {
        let ledger = try Ledger(path: ":memory:")
        let registry = try PromptRegistry(ledger: ledger, library: try Self.library(), now: Self.now)
        #expect(throws: PromptError.badReference("@v1")) { try registry.resolve("@v1") }
    }

    @Test func versionsArePublishedOnceWithTheirHash() throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        let ledger = try Ledger(path: directory.path("ledger.sqlite"))
        let library = try Self.library()
        _ = try PromptRegistry(ledger: ledger, library: library, now: Self.now)
        _ = try PromptRegistry(ledger: ledger, library: library, now: "2027-01-01T00:00:00Z")
        let rows = try ledger.database.query("SELECT name, version, hash, published_at FROM prompt_versions")
        #expect(rows.count == 4)
        let v2 = try #require(rows.first { $0["name"] == "support" && $0["version"] == .integer(2) })
        #expect(v2["hash"].text == library.version("support", 2)?.hash)
        #expect(v2["published_at"].text == Self.now)
    }

    @Test func aPublishedVersionWhoseFileChangedIsRefused() throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        let ledger = try Ledger(path: directory.path("ledger.sqlite"))
        _ = try PromptRegistry(ledger: ledger, library: try Self.library(), now: Self.now)

        // Same reference, different text: as if prompts/support/v2.prompt had been edited in place.
        let edited = PromptLibrary(versions: [
            try Self.version(1, "first {{message}}"), try Self.version(2, "second, edited {{message}}"),
            try Self.version(3, "third {{message}}"), try Self.version(4, "fourth {{message}}"),
        ])
        let registry = try PromptRegistry(ledger: ledger, library: edited, now: Self.now)
        #expect(registry.modified == ["support@v2"])
        #expect(throws: PromptError.modified(reference: "support@v2", file: "prompts/support/v2.prompt")) {
            try registry.resolve("support@v2")
        }
        #expect(try registry.resolve("support@v1").version == 1)
        #expect(try registry.resolve("support").version == 4)
    }

    @Test func aModifiedVersionIsRefusedAfterReopeningTheLedger() throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        let path = directory.path("ledger.sqlite")
        do {
            let ledger = try Ledger(path: path)
            _ = try PromptRegistry(ledger: ledger, library: try Self.library(), now: Self.now)
        }
        let ledger = try Ledger(path: path)
        let edited = PromptLibrary(versions: [try Self.version(1, "first, changed {{message}}")])
        let registry = try PromptRegistry(ledger: ledger, library: edited, now: Self.now)
        #expect(throws: PromptError.modified(reference: "support@v1", file: "prompts/support/v1.prompt")) {
            try registry.resolve("support")
        }
    }
}
