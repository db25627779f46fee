import Foundation
import Testing

@testable import ShopTalkKit

@Suite("Prompt version")
struct PromptVersionTests {
    static let source = """
        ---
        model: large
        temperature: 0.5
        max_tokens: 120
        description: shorter answers, apologises once
        ---
        [system]
        You are the assistant of {{store.name}}.
        [user]
        {{message}}
        [reply.track_order]
        Your order {{order.order_id}} is {{order.status_text}}.

        """

    private func malformedLine(_ error: WorkspaceError) -> (file: String, line: Int, expected: String)? {
        if case .malformed(let file, let line, let expected) = error { return (file, line, expected) }
        return nil
    }

    @Test func frontMatterAndSectionsAreParsed() throws {
        let version = try PromptVersion(
            name: "support", version: 2, source: Self.source, file: "prompts/support/v2.prompt")
        #expect(version.reference == "support@v2")
        #expect(version.model == "large")
        #expect(version.temperature == 0.5)
        #expect(version.maxTokens == 120)
        #expect(version.description == "shorter answers, apologises once")
        #expect(version.hash == Digest.sha256Hex(Self.source))
        #expect(version.system.render(["store": ["name": "Harbour Lane"]]) == "You are the assistant of Harbour Lane.")
        #expect(version.user.render(["message": "where is it?"]) == "where is it?")
        let reply = try #require(version.replies["track_order"])
        #expect(
            reply.render(["order": ["order_id": "HL-482913", "status_text": "on its way"]])
                == "Your order HL-482913 is on its way.")
        #expect(version.replySources == ["track_order": "Your order {{order.order_id}} is {{order.status_text}}."])
    }

    @Test func aFileWithoutFrontMatterGetsDefaults() throws {
        let version = try PromptVersion(name: "p", version: 1, source: "[user]\nQ: {{message}}\n", file: "p.prompt")
        #expect(version.model == nil)
        #expect(version.temperature == 0.2)
        #expect(version.maxTokens == 300)
        #expect(version.user.render(["message": "hi"]) == "Q: hi")
        #expect(version.system.render(["store": ["name": "S"]]).contains("S"))
        #expect(version.replies.isEmpty)
    }

    @Test func anUnknownFrontMatterKeyNamesFileAndLine() throws {
        let source = "---\nmodel: builtin\ncolour: blue\n---\n[user]\n{{message}}\n"
        let error = try #require(throws: WorkspaceError.self) {
            try PromptVersion(name: "p", version: 1, source: source, file: "prompts/p/v1.prompt")
        }
        let details = try #require(malformedLine(error))
        #expect(details.file == "prompts/p/v1.prompt")
        #expect(details.line == 3)
        #expect(details.expected.contains("colour"))
    }

    @Test func anOutOfRangeSettingNamesItsLine() throws {
        let source = "---\ntemperature: 7\n---\n"
        let error = try #require(throws: WorkspaceError.self) {
            try PromptVersion(name: "p", version: 1, source: source, file: "p.prompt")
        }
        #expect(malformedLine(error)?.line == 2)
        let tokens = try #require(throws: WorkspaceError.self) {
            try PromptVersion(name: "p", version: 1, source: "---\n\nmax_tokens: -3\n---\n", file: "p.prompt")
        }
        #expect(malformedLine(tokens)?.line == 3)
    }

    @Test func unclosedFrontMatterIsAnError() throws {
        let error = try #require(throws: WorkspaceError.self) {
            try PromptVersion(name: "p", version: 1, source: "---\nmodel: builtin\n\n", file: "p.prompt")
        }
        #expect(malformedLine(error)?.expected.contains("'---' closing the front matter") == true)
    }

    @Test func anUnknownSectionNamesFileAndLine() throws {
        let source = "---\nmodel: builtin\n---\n[system]\nHi\n[footer]\nBye\n"
        let error = try #require(throws: WorkspaceError.self) {
            try PromptVersion(name: "p", version: 1, source: source, file: "prompts/p/v1.prompt")
        }
        let details = try #require(malformedLine(error))
        #expect(details.file == "prompts/p/v1.prompt")
        #expect(details.line == 6)
        #expect(details.expected.contains("[footer]"))
    }

    @Test func textBeforeTheFirstSectionIsAnError() throws {
        let error = try #require(throws: WorkspaceError.self) {
            try PromptVersion(name: "p", version: 1, source: "---\n---\n\nstray words\n[user]\n", file: "p.prompt")
        }
        #expect(malformedLine(error)?.line == 4)
    }

    @Test func aTemplateErrorIsPlacedOnTheFileLine() throws {
        let source = "---\nmodel: builtin\n---\n[system]\nHello\n{{#orders}}\n[user]\n{{message}}\n"
        let error = try #require(throws: TemplateError.self) {
            try PromptVersion(name: "p", version: 1, source: source, file: "prompts/p/v1.prompt")
        }
        #expect(error.file == "prompts/p/v1.prompt")
        #expect(error.line == 6)
    }

    @Test
    func aTemplateErrorAfterABlankLineIsPlacedOnTheFileLine() throws {
        let source = "[system]\n\nHello {{name\n"
        let error = try #require(throws: TemplateError.self) {
            try PromptVersion(name: "p", version: 1, source: source, file: "p.prompt")
        }
        #expect(error.line == 3)
    }

    @Test
    func crlfLineEndingsParseLikeLF() throws {
        let crlf = Self.source.replacingOccurrences(of: "\n", with: "\r\n")
        let version = try PromptVersion(name: "support", version: 2, source: crlf, file: "v2.prompt")
        #expect(version.model == "large")
        #expect(version.maxTokens == 120)
        #expect(version.user.render(["message": "hi"]) == "hi")
        #expect(version.replies.keys.sorted() == ["track_order"])
    }
}
