import Foundation
import Synchronization

/// What retrieval found for a turn, and the situation the reply must address.
public struct Retrieval: Sendable {
    /// The order the turn is about, when there is one the customer may see.
    public var order: Order?
    /// Orders listed for the customer to choose from.
    public var orders: [Order] = []
    /// The order id the customer wrote, canonicalised.
    public var askedOrderID: String?
    public var articles: [ArticleHit] = []
    public var products: [Product] = []
    /// `answer`, `order_list`, `needs_order_id`, `needs_sign_in`, `order_not_found`, `no_article`, `no_product`.
    public var situation = "answer"
    /// Facts for the audit trail, such as `foreign_order`.
    public var flags: [String] = []

    /// Whether the reply will have to admit it found nothing relevant.
    public var isFallback: Bool { situation == "no_article" || situation == "no_product" }

    /// The records used, for the turn's trace and for cache keys.
    public var items: [RetrievedItem] {
        var items: [RetrievedItem] = []
        if let order { items.append(RetrievedItem(kind: "order", id: order.id, version: order.version, score: nil)) }
        for listed in orders where listed.id != order?.id {
            items.append(RetrievedItem(kind: "order", id: listed.id, version: listed.version, score: nil))
        }
        items += articles.map {
            RetrievedItem(
                kind: "article", id: $0.article.id, version: $0.article.version,
                score: ($0.score * 1000).rounded() / 1000)
        }
        items += products.map { RetrievedItem(kind: "product", id: $0.sku, version: $0.version, score: nil) }
        return items
    }
}

/// Fetches the records a turn needs: the customer's orders, FAQ articles by BM25, catalogue rows.
public struct Retriever: Sendable {
    let index: DataIndex
    let topics: ArticleTopics

    /// - Parameter classify: the intent recogniser, used to learn which intent each article answers.
    public init(index: DataIndex, classify: @escaping @Sendable (String) -> String) {
        self.index = index
        topics = ArticleTopics(index: index, classify: classify)
    }

    /// Intents about one particular order.
    static let orderIntents: Set = [
        "track_order", "refund_status", "cancel_order", "change_order", "change_shipping_address", "return_item",
        "invoice", "payment_problem", "complaint", "delivery_problem",
    ]
    /// Order intents that cannot be answered without knowing the order.
    static let orderRequired: Set = ["track_order", "refund_status"]
    static let productIntents: Set = ["product_question", "product_availability"]
    static let conversational: Set = ["greeting", "thanks", "goodbye", "affirm", "deny", "human_agent"]

    /// Retrieves for one message. Orders are only ever those of `customerID`.
    public func retrieve(intent: String, entities: [Entity], message: String, customerID: String?) throws -> Retrieval {
        var result = Retrieval()
        if Self.conversational.contains(intent) || intent == IntentClassifier.outOfScope { return result }

        if Self.orderIntents.contains(intent) {
            try findOrder(intent: intent, entities: entities, customerID: customerID, into: &result)
            if result.situation != "answer" || Self.orderRequired.contains(intent) { return result }
        }
        if Self.productIntents.contains(intent) {
            try findProducts(entities: entities, message: message, into: &result)
            return result
        }
        try findArticles(intent: intent, message: message, into: &result)
        return result
    }

    private func findOrder(intent: String, entities: [Entity], customerID: String?, into result: inout Retrieval) throws
    {
        if let asked = entities.first("order_id") {
            result.askedOrderID = asked
            guard let customerID else {
                result.situation = "needs_sign_in"
                return
            }
            if let order = try index.order(id: asked), order.customerID == customerID {
                result.order = order
            } else {
                // Another customer's order reads exactly like an unknown one; only the audit trail knows.
                if try index.order(id: asked) != nil { result.flags.append("foreign_order") }
                result.situation = "order_not_found"
            }
            return
        }
        guard Self.orderRequired.contains(intent) else { return }
        guard let customerID else {
            result.situation = "needs_order_id"
            return
        }
        let orders = try index.orders(customerID: customerID, limit: 3)
        if orders.count == 1 {
            result.order = orders[0]
        } else if orders.isEmpty {
            result.situation = "needs_order_id"
        } else {
            result.orders = orders
            result.situation = "order_list"
        }
    }

    private func findProducts(entities: [Entity], message: String, into result: inout Retrieval) throws {
        var skus = entities.all("sku")
        skus += entities.all("product").filter { !skus.contains($0) }
        result.products = try skus.prefix(5).compactMap { try index.product(sku: $0) }
        if result.products.isEmpty {
            let terms = SearchTerms.content(of: message).filter { !SearchTerms.productNoise.contains($0) }
            // A product found by search must carry most of the words asked about, not merely share one.
            let needed = max(1, Int((Double(terms.count) * 0.6).rounded(.up)))
            result.products = try index.products(matching: terms, limit: 8).filter { product in
                let name = Set(ProductMatcher.tokens(product.name + " " + product.category))
                return terms.filter { name.contains(ProductMatcher.tokens($0).first ?? $0) }.count >= needed
            }.prefix(5).map { $0 }
        }
        if result.products.isEmpty { result.situation = "no_product" }
    }

    private func findArticles(intent: String, message: String, into result: inout Retrieval) throws {
        let content = SearchTerms.content(of: message)
        let hints = SearchTerms.hints(for: intent)
        let topics = try self.topics.intents()
        // Articles that answer the recognised intent rank above ones that merely share its words.
        let found = try index.articles(matching: content + hints, limit: 12)
        let top = max(found.first?.score ?? 1, 1e-9)
        // Text relevance, then the article's learned topic, then an author's explicit marking.
        let hits = found.map { hit in
            let topic = topics[hit.article.id] == intent ? 1.0 : 0
            let marked = hit.article.intents.contains(intent) ? 0.5 : 0
            let titled = SearchTerms.titleOverlap(hit.article, content: content) * 0.8
            return ArticleHit(article: hit.article, score: hit.score / top + topic + marked + titled)
        }.sorted { $0.score > $1.score }
        guard let best = hits.first, SearchTerms.isRelevant(best.article, content: content, hints: hints) else {
            result.situation = "no_article"
            return
        }
        result.articles = hits.filter { $0.score >= best.score * 0.6 }.prefix(3).map { $0 }
    }
}

/// The intent each knowledge-base article answers, found by classifying its title, learned on first use.
final class ArticleTopics: Sendable {
    private let index: DataIndex
    private let classify: @Sendable (String) -> String
    private let learned = Mutex<[String: String]?>(nil)

    init(index: DataIndex, classify: @escaping @Sendable (String) -> String) {
        self.index = index
        self.classify = classify
    }

    /// Article id to intent.
    func intents() throws -> [String: String] {
        try learned.withLock { learned in
            if let learned { return learned }
            var topics: [String: String] = [:]
            for id in try index.articleIDs() {
                guard let article = try index.article(id: id) else { continue }
                topics[id] = classify(article.title)
            }
            learned = topics
            return topics
        }
    }
}
