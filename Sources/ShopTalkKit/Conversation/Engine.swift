import Foundation

/// A loaded workspace, ready to serve sessions: the shared, read-mostly part of the bot.
public final class Engine: Sendable {
    public let root: URL
    public let stateDirectory: URL
    public let config: WorkspaceConfig
    /// Problems worth telling the user that do not stop the workspace loading, such as unknown settings.
    public let warnings: [String]
    public let index: DataIndex
    /// The intent classifier over n-gram features, which needs nothing outside the process.
    public let classifier: IntentClassifier
    /// The backend of `understanding.embeddings`, when set.
    public let embeddings: EmbeddingsClient?
    /// The classifier that reads sentence embeddings from `embeddings` as well, when one is configured; turns
    /// fall back to `classifier` whenever the backend cannot answer.
    public let embeddingClassifier: IntentClassifier?
    public let extractor: EntityExtractor
    public let orderIDs: OrderIDPattern
    public let prompts: PromptLibrary
    public let ledger: Ledger
    public let audit: AuditLog
    public let handoffs: HandoffQueue
    public let feedback: FeedbackLog
    public let registry: PromptRegistry
    public let cache: ResponseCache
    public let metrics = Metrics()
    let retriever: Retriever
    let inputGuard: InputGuard
    let outputGuard: OutputGuard
    let rateLimiter: RateLimiter
    let models: [String: any LanguageModel]
    /// Retries, fallbacks and circuit breakers around the models.
    let router: ModelRouter
    /// Example values for replies that show the customer what to type.
    let examples: (orderID: String, sku: String)

    /// Loads the workspace at `root`; state goes to `stateDirectory` (default `root/.shoptalk`).
    ///
    /// - Parameters:
    ///   - ledgerPath: where the audit log and other governed state go, when not in the state directory
    ///     (test runs keep their own, apart from the workspace's audit trail).
    ///   - environment: where API keys are read from (never stored).
    ///   - notice: told about slow work before it starts, such as fetching the embeddings of the training rows.
    public init(
        root: URL, stateDirectory: URL? = nil, ledgerPath: String? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        notice: (String) -> Void = { _ in }
    ) throws {
        let configURL = root.appendingPathComponent("shoptalk.json")
        guard FileManager.default.fileExists(atPath: configURL.path) else {
            throw WorkspaceError.notFound(path: root.path)
        }
        self.root = root
        self.stateDirectory = stateDirectory ?? root.appendingPathComponent(".shoptalk")
        try FileManager.default.createDirectory(at: self.stateDirectory, withIntermediateDirectories: true)
        config = try WorkspaceConfig.load(from: configURL)
        var warnings = WorkspaceConfig.unknownKeys(
            in: (try? Data(contentsOf: configURL)) ?? Data(), file: configURL.path)
        index = try DataIndex.open(root: root, stateDirectory: self.stateDirectory)
        embeddings = try config.understanding.embeddings.map {
            try EmbeddingsClient(config: $0, environment: environment)
        }
        let stateDirectory = self.stateDirectory
        let understanding = config.understanding
        classifier = try Self.loadClassifier(
            root: root, stateDirectory: stateDirectory, understanding: understanding, embeddings: nil)
        do {
            embeddingClassifier = try embeddings.map {
                try Self.loadClassifier(
                    root: root, stateDirectory: stateDirectory, understanding: understanding, embeddings: $0,
                    notice: notice)
            }
        } catch let error as ModelError {
            // The bot still starts: n-grams alone recognise intents until a later start can train with embeddings.
            embeddingClassifier = nil
            warnings.append("\(error); intents are recognised without embeddings")
        }
        self.warnings = warnings
        let sampleIDs = try index.orderIDs()
        orderIDs = OrderIDPattern(sampleIDs: sampleIDs)
        let products = try index.productNames()
        extractor = EntityExtractor(orderIDs: orderIDs, products: products, patterns: config.entityPatterns)
        examples = (orderIDs.example, products.first?.sku ?? "ABC-0001")
        prompts = try PromptLibrary.load(root: root)
        ledger = try Ledger(path: ledgerPath ?? self.stateDirectory.appendingPathComponent("ledger.sqlite").path)
        audit = AuditLog(ledger: ledger)
        handoffs = HandoffQueue(ledger: ledger)
        feedback = FeedbackLog(ledger: ledger)
        registry = try PromptRegistry(ledger: ledger, library: prompts, now: Session.timestamp(Date()))
        cache = ResponseCache(capacity: config.cache.maxEntries)
        let classifier = self.classifier
        retriever = Retriever(index: index, classify: { classifier.predict($0).intent })
        inputGuard = InputGuard(config: config.guardrails)
        outputGuard = OutputGuard(config: config.guardrails)
        rateLimiter = RateLimiter(config: config.rateLimits)
        models = try Self.makeModels(config: config, environment: environment)
        router = ModelRouter(models: Array(models.values), fallbacks: config.routing.fallback)
    }

    /// The configured model names, `builtin` first.
    public var modelNames: [String] {
        ["builtin"] + models.keys.filter { $0 != "builtin" }.sorted()
    }

    /// A new conversation.
    ///
    /// - Parameter isolated: give the session its own response cache and rate limits, so that what it sees
    ///   never depends on other sessions (as regression scripts need).
    ///   - cache: a cache to share instead, for an isolated session that continues another.
    public func makeSession(
        id: String? = nil, customerID: String? = nil, isolated: Bool = false, cache: ResponseCache? = nil
    ) throws -> Session {
        try Session(engine: self, id: id, customerID: customerID, isolated: isolated, cache: cache)
    }

    /// The classifier for `intents.csv`, from the cache in the state directory when one was trained on the same
    /// file with the same embeddings settings, else trained now (asking `embeddings` for every row's embedding).
    private static func loadClassifier(
        root: URL, stateDirectory: URL, understanding: UnderstandingConfig, embeddings: EmbeddingsClient?,
        notice: (String) -> Void = { _ in }
    ) throws -> IntentClassifier {
        let url = root.appendingPathComponent("intents.csv")
        guard var data = try? Data(contentsOf: url) else {
            throw WorkspaceError.unreadable(
                file: url.path, reason: "missing: expected training utterances with the header 'text,intent'")
        }
        let text = String(decoding: data, as: UTF8.self)
        if embeddings != nil, let settings = understanding.embeddings {
            data.append(Data("\u{0}\(settings.baseURL)\u{0}\(settings.model)\u{0}\(settings.weight)".utf8))
        }
        let kind = embeddings == nil ? ".model" : ".embedded.model"
        let cacheURL = stateDirectory.appendingPathComponent("intents-\(Digest.sha256Hex(data).prefix(16))\(kind)")
        var classifier: IntentClassifier
        if let blob = try? Data(contentsOf: cacheURL), let cached = try? IntentClassifier(serialized: blob) {
            classifier = cached
        } else {
            let examples = try IntentExample.load(text: text, file: url.path)
            if let embeddings {
                let store = try EmbeddingStore(path: stateDirectory.appendingPathComponent("embeddings.sqlite").path)
                classifier = IntentClassifier(
                    training: examples,
                    embeddings: try store.vectors(for: examples.map(\.text), from: embeddings) { missing in
                        guard missing > 0 else { return }
                        notice(
                            "fetching the embeddings of \(missing) training row\(missing == 1 ? "" : "s") from \(embeddings.baseURL.absoluteString)"
                                + " (once: they are kept in .shoptalk/embeddings.sqlite)")
                    },
                    embeddingWeight: Float(understanding.embeddings?.weight ?? 1))
            } else {
                classifier = IntentClassifier(training: examples)
            }
            // Written beside and renamed, so a parallel start never reads half a model.
            let temporary = cacheURL.appendingPathExtension("\(ProcessInfo.processInfo.processIdentifier)")
            if (try? classifier.serialized().write(to: temporary)) != nil { rename(temporary.path, cacheURL.path) }
            // Models of earlier versions of intents.csv (of the same kind) are never read again.
            let manager = FileManager.default
            for name in (try? manager.contentsOfDirectory(atPath: stateDirectory.path)) ?? []
            where name.hasPrefix("intents-") && name.hasSuffix(".model") && name != cacheURL.lastPathComponent
                && name.hasSuffix(".embedded.model") == (embeddings != nil)
            {
                try? manager.removeItem(at: stateDirectory.appendingPathComponent(name))
            }
        }
        if let threshold = understanding.threshold { classifier.threshold = threshold }
        return classifier
    }

    private static func makeModels(config: WorkspaceConfig, environment: [String: String]) throws
        -> [String: any LanguageModel]
    {
        var models: [String: any LanguageModel] = ["builtin": BuiltinModel()]
        for (name, model) in config.models where model.kind == "openai" {
            guard let base = model.baseURL, let url = URL(string: base), url.scheme != nil else {
                throw WorkspaceError.invalidConfig(
                    file: "shoptalk.json", key: "models.\(name).base_url", expected: "must be an http(s) URL")
            }
            let key = model.apiKeyEnv.flatMap { environment[$0] }
            models[name] = OpenAIChatModel(
                name: name, baseURL: url, model: model.model ?? name, apiKey: key, apiKeyVariable: model.apiKeyEnv,
                timeout: model.timeoutSeconds)
        }
        return models
    }
}
