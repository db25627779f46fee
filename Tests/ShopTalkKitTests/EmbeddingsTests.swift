import Foundation
import ShopTalkTestSupport
import Testing

@testable import ShopTalkKit

/// A stand-in for a sentence encoder that knows synonyms the n-gram features cannot: each word family is one
/// dimension, so "settee" lands where "sofa" does although the two share no n-gram.
private enum SynonymEncoder {
    static let families: [Set<String>] = [
        ["sofa", "couch", "settee", "armchair"],
        ["refund", "reimbursement", "repayment", "money"],
        ["hello", "hi", "hiya", "greetings"],
    ]

    static func embed(_ text: String) -> [Float] {
        let words = Set(text.lowercased().split { !$0.isLetter }.map(String.init))
        return families.map { $0.isDisjoint(with: words) ? 0 : 1 } + [0.2]
    }

    /// Answers `/v1/embeddings` requests the way OpenAI does, with the items in reverse order to check that
    /// clients sort them by `index`.
    static func server(failing: @escaping @Sendable (LoopbackRequest) -> Bool = { _ in false }) throws
        -> LoopbackServer
    {
        try LoopbackServer { request in
            if failing(request) { return .json(#"{"error": {"message": "overloaded"}}"#, status: 503) }
            let inputs = request.json["input"] as? [String] ?? []
            let items = inputs.enumerated().reversed().map { index, text in
                let vector = embed(text).map { String($0) }.joined(separator: ", ")
                return #"{"object": "embedding", "index": \#(index), "embedding": [\#(vector)]}"#
            }
            return .json(#"{"object": "list", "data": [\#(items.joined(separator: ", "))]}"#)
        }
    }
}

@Suite("Sentence embeddings for intent recognition")
struct EmbeddingsTests {
    private static let training: [IntentExample] =
        [
            "is the sofa comfortable", "how deep is the sofa", "what fabric is the sofa", "sofa sizes please",
            "does the sofa come in green", "can the sofa go in a small room",
        ].map { IntentExample(text: $0, intent: "furniture") }
        + [
            "where is my refund", "when will the refund arrive", "refund not received", "has my refund gone through",
            "how long does a refund take", "I am still waiting for my refund",
        ].map { IntentExample(text: $0, intent: "refunds") }
        + ["hello", "hello there", "hello, anyone about", "good morning hello", "hello again", "oh hello"].map {
            IntentExample(text: $0, intent: "greeting")
        }

    @Test func theClientBatchesRequestsAndOrdersVectorsByIndex() throws {
        let server = try SynonymEncoder.server()
        let client = EmbeddingsClient(baseURL: server.baseURL, model: "synonyms", batchSize: 2)
        let texts = ["a sofa", "my refund", "hiya", "nothing here", "couch"]

        let vectors = try client.embedAll(texts)

        #expect(vectors == texts.map(SynonymEncoder.embed))
        #expect(server.requests.count == 3)
        #expect(server.requests.allSatisfy { $0.path == "/v1/embeddings" && $0.json["model"] as? String == "synonyms" })
    }

    @Test func theClientSendsEveryTextRedacted() async throws {
        let server = try SynonymEncoder.server()
        let client = EmbeddingsClient(baseURL: server.baseURL, model: "synonyms")

        _ = try client.embedAll(["refund to jo.bloggs@example.com please"])
        _ = try await client.embed("Jo Bloggs wants a refund", known: [("name", "Jo Bloggs")])

        let sent = server.requests.flatMap { $0.json["input"] as? [String] ?? [] }
        #expect(sent == ["refund to [EMAIL] please", "[NAME] wants a refund"])
    }

    @Test func serverFailuresAreModelErrorsNamingTheBackend() async throws {
        let failing = try SynonymEncoder.server(failing: { _ in true })
        let client = EmbeddingsClient(baseURL: failing.baseURL, model: "synonyms")
        #expect(
            throws: ModelError.http(model: "embeddings", status: 503, body: #"{"error": {"message": "overloaded"}}"#)
        ) {
            try client.embedAll(["hello"])
        }
        await #expect(throws: ModelError.self) { try await client.embed("hello") }

        let nobody = EmbeddingsClient(
            baseURL: URL(string: "http://127.0.0.1:\(try LoopbackServer.closedPort())/v1")!, model: "m")
        #expect {
            try nobody.embedAll(["hello"])
        } throws: { error in
            guard case ModelError.unreachable(let model, _) = error else { return false }
            return model == "embeddings"
        }
    }

    @Test func turnsStopAskingAServerThatKeepsFailing() async throws {
        let failing = try SynonymEncoder.server(failing: { _ in true })
        let client = EmbeddingsClient(baseURL: failing.baseURL, model: "synonyms")
        for _ in 0..<2 {
            await #expect(throws: ModelError.self) { try await client.embed("hello") }
        }
        // The breaker is open: no request, and no wait, until its cooldown has passed.
        for _ in 0..<3 {
            await #expect(throws: ModelError.circuitOpen(model: "embeddings")) { try await client.embed("hello") }
        }
        #expect(failing.requests.count == 2)
    }

    @Test func embeddingsTeachTheClassifierWordsItsTrainingNeverUsed() throws {
        let embeddings = Self.training.map { SynonymEncoder.embed($0.text) }
        let plain = IntentClassifier(training: Self.training)
        let embedded = IntentClassifier(training: Self.training, embeddings: embeddings)
        #expect(embedded.embeddingDimensions == 4)

        let unseen = [("settee", "furniture"), ("reimbursement", "refunds"), ("hiya", "greeting")]
        for (message, intent) in unseen {
            #expect(
                embedded.predict(message, embedding: SynonymEncoder.embed(message)).alternatives.first?.intent
                    == intent,
                "\(message)")
        }
        // N-grams alone cannot know these words.
        #expect(unseen.filter { plain.predict($0.0).alternatives.first?.intent == $0.1 }.count < unseen.count)
    }

    @Test func aSerializedClassifierKeepsItsEmbeddingColumns() throws {
        let embedded = IntentClassifier(
            training: Self.training, embeddings: Self.training.map { SynonymEncoder.embed($0.text) },
            embeddingWeight: 1.5)
        let loaded = try IntentClassifier(serialized: embedded.serialized())

        #expect(loaded.embeddingDimensions == 4)
        let embedding = SynonymEncoder.embed("couch")
        #expect(loaded.predict("couch", embedding: embedding) == embedded.predict("couch", embedding: embedding))
    }

    /// A workspace with the sample's records, the small training set above and embeddings from `baseURL`.
    private static func workspace(embeddingsFrom baseURL: URL) throws -> ScratchDirectory {
        let scratch = try ScratchDirectory()
        for name in ["catalog.csv", "customers.csv", "orders.csv", "knowledge", "prompts"] {
            try FileManager.default.copyItem(
                at: SampleWorkspace.root.appendingPathComponent(name), to: scratch.url.appendingPathComponent(name))
        }
        try scratch.write(
            "text,intent\n" + training.map { "\"\($0.text)\",\($0.intent)" }.joined(separator: "\n") + "\n",
            to: "intents.csv")
        try scratch.write(
            """
            {"name": "Embedded Shop", "understanding": {"embeddings": {"base_url": "\(baseURL.absoluteString)",
              "model": "synonyms", "timeout_seconds": 5}}}
            """, to: "shoptalk.json")
        return scratch
    }

    @Test func aWorkspaceStartsWithAWarningWhenTheBackendIsDown() async throws {
        let scratch = try Self.workspace(
            embeddingsFrom: URL(string: "http://127.0.0.1:\(try LoopbackServer.closedPort())/v1")!)
        defer { scratch.remove() }

        let engine = try Engine(root: scratch.url, ledgerPath: ":memory:", environment: [:])

        #expect(engine.embeddingClassifier == nil)
        #expect(engine.warnings.contains { $0.contains("unreachable") && $0.contains("without embeddings") })
        let turn = try await engine.makeSession().send("where is my refund")
        #expect(turn.flags.contains("embeddings_unavailable"))
        #expect(turn.intent == engine.classifier.predict("where is my refund"))
    }

    @Test func aWorkspaceSendsOnlyRedactedMessagesAndCarriesOnWithoutTheBackend() async throws {
        // The server fails every request that carries the word "outage", so one turn meets a backend fault.
        let server = try SynonymEncoder.server(failing: { String(decoding: $0.body, as: UTF8.self).contains("outage") })
        let scratch = try Self.workspace(embeddingsFrom: server.baseURL)
        defer { scratch.remove() }

        let engine = try Engine(root: scratch.url, ledgerPath: ":memory:", environment: [:])
        #expect(engine.classifier.embeddingDimensions == 0)
        #expect(engine.embeddingClassifier?.embeddingDimensions == 4)
        let trainingRequests = server.requests.count
        #expect(trainingRequests > 0)

        let session = try engine.makeSession()
        let turn = try await session.send("my email is jo.bloggs@example.com, I'm owed a reimbursement")
        #expect(turn.intent?.intent == "refunds")
        #expect(turn.flags.contains("intent_with_embeddings"))
        #expect(!turn.flags.contains("embeddings_unavailable"))
        let sent = server.requests.dropFirst(trainingRequests).map { String(decoding: $0.body, as: UTF8.self) }
        #expect(sent.count == 1)
        #expect(!sent.contains { $0.contains("jo.bloggs") }, "the address left the process: \(sent)")

        // Without the backend the turn is classified exactly as it would be with no embeddings configured.
        let unlucky = try await session.send("outage or not, where is my refund")
        #expect(unlucky.flags.contains("embeddings_unavailable"))
        #expect(!unlucky.flags.contains("intent_with_embeddings"))
        #expect(unlucky.intent == engine.classifier.predict("outage or not, where is my refund"))

        // A second start reads the trained model from the state directory instead of asking for every row again.
        let before = server.requests.count
        let reopened = try Engine(root: scratch.url, ledgerPath: ":memory:", environment: [:])
        #expect(reopened.embeddingClassifier?.embeddingDimensions == 4)
        #expect(server.requests.count == before)

        // After an edit to intents.csv only the new row's embedding is fetched; the others are stored.
        let intents = scratch.url.appendingPathComponent("intents.csv")
        let handle = try FileHandle(forWritingTo: intents)
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("what is the couch made of,furniture\n".utf8))
        try handle.close()
        _ = try Engine(root: scratch.url, ledgerPath: ":memory:", environment: [:])
        let asked = server.requests.dropFirst(before).flatMap { $0.json["input"] as? [String] ?? [] }
        #expect(asked == ["what is the couch made of"])
        // The models of the earlier intents.csv are gone: one plain and one embedded model remain.
        let models = try FileManager.default.contentsOfDirectory(
            atPath: scratch.url.appendingPathComponent(".shoptalk").path
        ).filter { $0.hasPrefix("intents-") }
        #expect(models.count == 2, "\(models)")
        #expect(models.filter { $0.hasSuffix(".embedded.model") }.count == 1, "\(models)")
    }
}
