import Foundation

/// Creates the index schema and imports the workspace's files into it.
struct IndexBuilder {
    var database: Database
    var sources: SourceFiles

    func build() throws {
        try database.execute(Self.schema)
        try database.transaction {
            try importCustomers()
            try importCatalog()
            try importOrders()
            try importKnowledge()
            try database.run("INSERT INTO meta(key, value) VALUES ('fingerprint', ?)", [.text(sources.fingerprint)])
        }
        try database.execute("INSERT INTO articles_fts(articles_fts) VALUES ('optimize')")
    }

    private static let schema = """
        CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE customers(customer_id TEXT PRIMARY KEY, name TEXT, email TEXT, phone TEXT, postcode TEXT);
        CREATE TABLE catalog(sku TEXT PRIMARY KEY, name TEXT NOT NULL, category TEXT, price TEXT, currency TEXT,
            stock INTEGER, description TEXT, version TEXT);
        CREATE TABLE orders(order_id TEXT PRIMARY KEY, customer_id TEXT NOT NULL, status TEXT NOT NULL,
            placed_at TEXT, updated_at TEXT, carrier TEXT, tracking TEXT, eta TEXT, total TEXT, currency TEXT,
            items TEXT, version TEXT);
        CREATE INDEX orders_by_customer ON orders(customer_id, placed_at);
        CREATE TABLE articles(id TEXT PRIMARY KEY, title TEXT NOT NULL, body TEXT NOT NULL, file TEXT,
            line INTEGER, version TEXT, intents TEXT NOT NULL);
        CREATE VIRTUAL TABLE articles_fts USING fts5(id UNINDEXED, title, body, tokenize = 'porter unicode61');
        CREATE VIRTUAL TABLE catalog_fts USING fts5(sku UNINDEXED, name, category, description,
            tokenize = 'porter unicode61');
        """

    private func table(_ url: URL, columns: [String]) throws -> [(line: Int, values: [String: String])] {
        guard FileManager.default.fileExists(atPath: url.path) else { return [] }
        let table = try CSVTable(contentsOf: url)
        try table.require(columns)
        return table.dictionaries
    }

    private func importCustomers() throws {
        let rows = try table(sources.customers, columns: ["customer_id", "name", "email", "phone", "postcode"])
        for row in rows {
            let values = row.values
            guard let id = values["customer_id"], !id.isEmpty else {
                throw WorkspaceError.malformed(file: sources.customers.path, line: row.line, expected: "a customer_id")
            }
            try insert(
                "INSERT OR REPLACE INTO customers VALUES (?, ?, ?, ?, ?)",
                [id, values["name"], values["email"], values["phone"], values["postcode"]])
        }
    }

    private func importCatalog() throws {
        let columns = ["sku", "name", "category", "price", "currency", "stock", "description"]
        for row in try table(sources.catalog, columns: columns) {
            let values = row.values
            guard let sku = values["sku"], !sku.isEmpty, let name = values["name"], !name.isEmpty else {
                throw WorkspaceError.malformed(file: sources.catalog.path, line: row.line, expected: "a sku and a name")
            }
            guard let stock = Int(values["stock"] ?? "") else {
                throw WorkspaceError.malformed(
                    file: sources.catalog.path, line: row.line,
                    expected: "a whole number in 'stock', found '\(values["stock"] ?? "")'")
            }
            let version = Self.version(columns.map { values[$0] ?? "" })
            try database.run(
                "INSERT OR REPLACE INTO catalog VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    .text(sku), .text(name), values["category"].sqlValue, values["price"].sqlValue,
                    values["currency"].sqlValue, .integer(Int64(stock)), values["description"].sqlValue, .text(version),
                ])
            try insert(
                "INSERT INTO catalog_fts VALUES (?, ?, ?, ?)",
                [sku, name, values["category"], values["description"]])
        }
    }

    private func importOrders() throws {
        let columns = [
            "order_id", "customer_id", "status", "placed_at", "updated_at", "carrier", "tracking", "eta",
            "total", "currency", "items",
        ]
        for row in try table(sources.orders, columns: columns) {
            let values = row.values
            guard let id = values["order_id"], !id.isEmpty else {
                throw WorkspaceError.malformed(file: sources.orders.path, line: row.line, expected: "an order_id")
            }
            let status = values["status"] ?? ""
            guard Order.statuses.contains(status) else {
                throw WorkspaceError.malformed(
                    file: sources.orders.path, line: row.line,
                    expected: "a status among \(Order.statuses.joined(separator: ", ")), found '\(status)'")
            }
            guard Order.parseItems(values["items"] ?? "") != nil else {
                throw WorkspaceError.malformed(
                    file: sources.orders.path, line: row.line, expected: "items as 'SKU x2; SKU x1'")
            }
            let fields: [String?] = columns.map { values[$0] } + [Self.version(columns.map { values[$0] ?? "" })]
            try insert("INSERT OR REPLACE INTO orders VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", fields)
        }
    }

    private func importKnowledge() throws {
        var seen: [String: String] = [:]
        for url in sources.knowledge {
            let text: String
            do {
                text = try String(contentsOf: url, encoding: .utf8)
            } catch {
                throw WorkspaceError.unreadable(file: url.path, reason: "not a readable UTF-8 text file")
            }
            let relative = "knowledge/" + url.lastPathComponent
            for article in try KnowledgeParser.articles(in: text, file: relative) {
                if let earlier = seen[article.id] {
                    throw WorkspaceError.malformed(
                        file: url.path, line: article.line,
                        expected: "a unique article id, but '\(article.id)' is also used in \(earlier)")
                }
                seen[article.id] = "\(relative):\(article.line)"
                try database.run(
                    "INSERT INTO articles VALUES (?, ?, ?, ?, ?, ?, ?)",
                    [
                        .text(article.id), .text(article.title), .text(article.body), .text(article.file),
                        .integer(Int64(article.line)), .text(article.version),
                        .text(article.intents.joined(separator: ",")),
                    ])
                try insert("INSERT INTO articles_fts VALUES (?, ?, ?)", [article.id, article.title, article.body])
            }
        }
    }

    private func insert(_ sql: String, _ values: [String?]) throws {
        try database.run(sql, values.map(\.sqlValue))
    }

    private static func version(_ fields: [String]) -> String {
        String(Digest.sha256Hex(fields.joined(separator: "\u{1f}")).prefix(16))
    }
}
