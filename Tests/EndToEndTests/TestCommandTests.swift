import Foundation
import Testing

#if canImport(FoundationXML)
    import FoundationXML
#endif

@Suite("shoptalk test and run")
struct TestCommandTests {
    @Test func theSampleSuitePassesAndWritesJUnit() throws {
        let workspace = try TestWorkspace()
        let junit = workspace.directory.appendingPathComponent("out.xml")
        let result = try workspace.run(["test", "--jobs", "2", "--junit", junit.path], input: "")

        #expect(result.status == 0, "\(result.output)\(result.error)")
        let last = result.output.split(separator: "\n").last.map(String.init) ?? ""
        #expect(last.hasSuffix("passed, 0 failed"))
        let document = try XMLDocument(contentsOf: junit)
        let cases = try document.nodes(forXPath: "//testsuite/testcase")
        #expect(cases.count >= 40)
        #expect(cases.allSatisfy { ($0 as? XMLElement)?.attribute(forName: "time") != nil })
        #expect(try document.nodes(forXPath: "//failure").isEmpty)
        try expectValidJUnit(junit)
    }

    /// Validates a report against the JUnit schema in Fixtures with xmllint.
    private func expectValidJUnit(_ file: URL) throws {
        let schema = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Fixtures/junit.xsd")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/xmllint")
        process.arguments = ["--noout", "--schema", schema.path, file.path]
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        let message = String(decoding: TestWorkspace.readToEnd(errors.fileHandleForReading), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(message)")
    }

    @Test func repeatedRunsAreTestCasesOfTheirOwnInJUnit() throws {
        let workspace = try TestWorkspace()
        let junit = workspace.directory.appendingPathComponent("repeated.xml")
        let scripts = ["tests/thanks.chat", "tests/goodbye.chat"].map {
            workspace.directory.appendingPathComponent($0).path
        }
        let result = try workspace.run(["test"] + scripts + ["--repeat", "3", "--junit", junit.path], input: "")
        #expect(result.status == 0, "\(result.output)\(result.error)")
        let names = try XMLDocument(contentsOf: junit).nodes(forXPath: "//testcase/@name").compactMap(\.stringValue)
        #expect(names.count == 6)
        #expect(Set(names).count == 6)
        #expect(names.filter { $0.hasSuffix("(run 3 of 3)") }.count == 2)
        try expectValidJUnit(junit)
    }

    @Test func aBrokenExpectationExitsOneWithAReadableFailure() throws {
        let workspace = try TestWorkspace()
        let script = workspace.directory.appendingPathComponent("tests/broken.chat")
        let original = try String(
            contentsOf: workspace.directory.appendingPathComponent("tests/track-order.chat"), encoding: .utf8)
        try original.replacingOccurrences(of: "bot~ Royal Mail", with: "bot~ Parcelforce")
            .write(to: script, atomically: true, encoding: .utf8)

        let result = try workspace.run(["test", script.path], input: "")

        #expect(result.status == 1)
        #expect(result.output.contains("FAIL a signed-in customer tracks a packed order"))
        #expect(result.output.contains("broken.chat:10: bot~ Parcelforce"))
        #expect(result.output.contains("expected the reply to contain: Parcelforce"))
        #expect(result.output.contains("reply: Your order HL-876352 is packed"))
        #expect(result.output.hasSuffix("0 passed, 1 failed\n"))
    }

    @Test func aFailingRunStillWritesValidJUnit() throws {
        let workspace = try TestWorkspace()
        let script = workspace.directory.appendingPathComponent("failing.chat")
        try "@name fails <on purpose>\nuser: hi\nexpect intent thanks\n".write(
            to: script, atomically: true, encoding: .utf8)
        let junit = workspace.directory.appendingPathComponent("failing.xml")

        let result = try workspace.run(["test", script.path, "--junit", junit.path], input: "")

        #expect(result.status == 1)
        let document = try XMLDocument(contentsOf: junit)
        #expect(try document.nodes(forXPath: "//testcase/failure").count == 1)
        try expectValidJUnit(junit)
    }

    @Test func aSyntaxErrorExitsTwoNamingFileLineAndColumn() throws {
        let workspace = try TestWorkspace()
        let script = workspace.directory.appendingPathComponent("bad.chat")
        try "user: hi\nexpect intnt greeting\n".write(to: script, atomically: true, encoding: .utf8)

        let result = try workspace.run(["test", script.path], input: "")

        #expect(result.status == 2)
        #expect(result.error.contains("bad.chat:2:8: expected intent, entity"))
        #expect(result.error.contains("found 'intnt'"))
    }

    @Test func runPrintsTheTranscriptMarkingEachExpectation() throws {
        let workspace = try TestWorkspace()
        let script = workspace.directory.appendingPathComponent("tests/track-order.chat").path
        let result = try workspace.run(["run", script], input: "")
        #expect(result.status == 0)
        #expect(result.output.contains("user: where is my order HL-876352?"))
        #expect(result.output.contains("  ✓ bot~ Royal Mail"))
        #expect(result.output.hasSuffix("1 passed, 0 failed\n"))
    }

    @Test func verboseListsEveryScriptAsItFinishes() throws {
        let workspace = try TestWorkspace()
        let result = try workspace.run(["test", "--verbose", "--filter", "handoff"], input: "")
        #expect(result.status == 0)
        let listed = result.output.split(separator: "\n").filter { $0.hasPrefix("PASS ") }
        #expect(listed.count >= 3)
        #expect(listed.allSatisfy { $0.contains(".chat)") && $0.hasSuffix(" s") })
        #expect(result.output.hasSuffix("\(listed.count) passed, 0 failed\n"))
        // Piped, nothing is drawn on standard error.
        #expect(!result.error.contains("scripts run"))
    }

    @Test func tapOutputHasAPlanAndATestPointPerScript() throws {
        let workspace = try TestWorkspace()
        let result = try workspace.run(["test", "--tap", "--filter", "handoff"], input: "")
        #expect(result.status == 0)
        let lines = result.output.split(separator: "\n")
        #expect(lines.first == "TAP version 13")
        let plan = try #require(lines.dropFirst().first)
        let count = Int(plan.dropFirst(3)) ?? 0
        #expect(count >= 3)
        #expect(lines.filter { $0.hasPrefix("ok ") }.count == count)
    }
}
