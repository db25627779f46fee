import Foundation

/// An article found for a message, with its BM25 relevance (higher is better).
public struct ArticleHit: Sendable, Hashable {
    public var article: Article
    public var score: Double
}

extension DataIndex {
    /// The order with this id, whoever it belongs to; callers check ownership.
    public func order(id: String) throws -> Order? {
        try database.query("SELECT * FROM orders WHERE order_id = ?", [.text(id)]).first.map(Self.order)
    }

    /// The customer's orders, newest first.
    public func orders(customerID: String, limit: Int = 20) throws -> [Order] {
        try database.query(
            "SELECT * FROM orders WHERE customer_id = ? ORDER BY placed_at DESC LIMIT ?",
            [.text(customerID), .integer(Int64(limit))]
        ).map(Self.order)
    }

    /// Every order id, for learning the shape the workspace's ids take.
    public func orderIDs(limit: Int = 5000) throws -> [String] {
        try database.query("SELECT order_id FROM orders LIMIT ?", [.integer(Int64(limit))]).compactMap {
            $0.values.first?.text
        }
    }

    /// The customer with this id.
    public func customer(id: String) throws -> Customer? {
        try database.query("SELECT * FROM customers WHERE customer_id = ? COLLATE NOCASE", [.text(id)]).first.map {
            Customer(
                id: $0["customer_id"].text ?? "", name: $0["name"].text ?? "", email: $0["email"].text ?? "",
                phone: $0["phone"].text ?? "", postcode: $0["postcode"].text ?? "")
        }
    }

    /// Customer ids, for completion in the shell.
    public func customerIDs(limit: Int = 10_000) throws -> [String] {
        try database.query("SELECT customer_id FROM customers ORDER BY customer_id LIMIT ?", [.integer(Int64(limit))])
            .compactMap { $0.values.first?.text }
    }

    /// The catalogue item with this SKU.
    public func product(sku: String) throws -> Product? {
        try database.query("SELECT * FROM catalog WHERE sku = ? COLLATE NOCASE", [.text(sku)]).first.map(Self.product)
    }

    /// Every catalogue item's SKU and name, for entity extraction.
    public func productNames() throws -> [(sku: String, name: String)] {
        try database.query("SELECT sku, name FROM catalog ORDER BY sku").map {
            ($0["sku"].text ?? "", $0["name"].text ?? "")
        }
    }

    /// Catalogue items whose name or description best match `terms`.
    public func products(matching terms: [String], limit: Int = 3) throws -> [Product] {
        guard let match = Self.matchExpression(terms) else { return [] }
        return try database.query(
            """
            SELECT catalog.* FROM catalog_fts JOIN catalog ON catalog.sku = catalog_fts.sku
            WHERE catalog_fts MATCH ? ORDER BY bm25(catalog_fts, 0.0, 8.0, 2.0, 1.0) LIMIT ?
            """, [.text(match), .integer(Int64(limit))]
        ).map(Self.product)
    }

    /// The article with this id.
    public func article(id: String) throws -> Article? {
        try database.query("SELECT * FROM articles WHERE id = ?", [.text(id)]).first.map(Self.article)
    }

    /// Every article id, for completion and checks.
    public func articleIDs() throws -> [String] {
        try database.query("SELECT id FROM articles ORDER BY id").compactMap { $0.values.first?.text }
    }

    /// The articles best matching `terms` by BM25, titles weighted above bodies.
    public func articles(matching terms: [String], limit: Int = 3) throws -> [ArticleHit] {
        guard let match = Self.matchExpression(terms) else { return [] }
        return try database.query(
            """
            SELECT articles.*, -bm25(articles_fts, 0.0, 4.0, 1.0) AS score
            FROM articles_fts JOIN articles ON articles.id = articles_fts.id
            WHERE articles_fts MATCH ? ORDER BY score DESC LIMIT ?
            """, [.text(match), .integer(Int64(limit))]
        ).map { ArticleHit(article: Self.article($0), score: $0["score"].real ?? 0) }
    }

    /// An FTS5 query OR-ing the terms, each quoted so no user text is read as query syntax.
    static func matchExpression(_ terms: [String]) -> String? {
        let quoted = terms.filter { !$0.isEmpty }.map { "\"" + $0.replacingOccurrences(of: "\"", with: "") + "\"" }
        return quoted.isEmpty ? nil : quoted.joined(separator: " OR ")
    }

    static func order(_ row: Row) -> Order {
        Order(
            id: row["order_id"].text ?? "", customerID: row["customer_id"].text ?? "", status: row["status"].text ?? "",
            placedAt: row["placed_at"].text ?? "", updatedAt: row["updated_at"].text ?? "",
            carrier: row["carrier"].text ?? "", tracking: row["tracking"].text ?? "", eta: row["eta"].text ?? "",
            total: row["total"].text ?? "", currency: row["currency"].text ?? "",
            items: Order.parseItems(row["items"].text ?? "") ?? [], version: row["version"].text ?? "")
    }

    static func product(_ row: Row) -> Product {
        Product(
            sku: row["sku"].text ?? "", name: row["name"].text ?? "", category: row["category"].text ?? "",
            price: row["price"].text ?? "", currency: row["currency"].text ?? "",
            stock: Int(row["stock"].integer ?? 0), description: row["description"].text ?? "",
            version: row["version"].text ?? "")
    }

    static func article(_ row: Row) -> Article {
        Article(
            id: row["id"].text ?? "", title: row["title"].text ?? "", body: row["body"].text ?? "",
            file: row["file"].text ?? "", line: Int(row["line"].integer ?? 0), version: row["version"].text ?? "",
            intents: (row["intents"].text ?? "").split(separator: ",").map(String.init))
    }
}
