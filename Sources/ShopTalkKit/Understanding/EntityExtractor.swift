import Foundation

/// Finds order ids, SKUs, product names, emails, phone numbers, dates, amounts and quantities in a message.
public struct EntityExtractor: Sendable {
    private let orderIDs: OrderIDPattern
    private let products: ProductMatcher
    private let custom: [(kind: String, expression: NSRegularExpression)]

    /// - Parameters:
    ///   - orderIDs: the learned shape of the workspace's order ids.
    ///   - products: the catalogue's SKUs and names.
    ///   - patterns: extra entity kinds from the workspace config.
    public init(orderIDs: OrderIDPattern, products: [(sku: String, name: String)], patterns: [String: String] = [:]) {
        self.orderIDs = orderIDs
        self.products = ProductMatcher(products: products)
        custom = patterns.sorted { $0.key < $1.key }.compactMap { kind, pattern in
            (try? NSRegularExpression(pattern: pattern, options: [.caseInsensitive])).map { (kind, $0) }
        }
    }

    /// The entities of `text`, dates resolved against `now`.
    public func extract(from text: String, now: Date) -> [Entity] {
        var entities: [Entity] = []
        var taken: [Range<String.Index>] = []
        func claim(_ kind: String, _ value: String, _ range: Range<String.Index>) {
            guard !taken.contains(where: { $0.overlaps(range) }) else { return }
            taken.append(range)
            entities.append(Entity(kind: kind, value: value, text: String(text[range])))
        }

        // Every pattern but dates and quantities needs a digit or an '@'; most messages have neither.
        let profile = TextProfile(text)
        let digits = profile.digits
        let at = profile.hasAt

        // Contact details first, so their digits are never read as order ids or amounts.
        if at {
            for (range, value) in Patterns.email.ranges(in: text) { claim("email", value.lowercased(), range) }
        }
        if digits >= 8 {
            for (range, value) in Patterns.phone.ranges(in: text) {
                claim("phone", value.filter { $0.isNumber || $0 == "+" }, range)
            }
        }
        if digits > 0 {
            for (sku, range) in products.skus(in: text) { claim("sku", sku, range) }
            for match in orderIDs.matches(in: text) { claim("order_id", match.value, match.range) }
            for match in orderIDs.misshapenIDs(in: text) { claim("order_id", match.value, match.range) }
            for (range, value) in Patterns.amount.ranges(in: text) {
                if let amount = Patterns.amountValue(value) { claim("amount", amount, range) }
            }
        }
        for (value, range) in DateExpressions.dates(in: text, now: now, hasDigits: digits > 0) {
            claim("date", value, range)
        }
        let lower = digits > 0 ? "" : text.lowercased()
        if digits > 0 || Patterns.quantityWords.contains(where: { lower.contains($0) }) {
            for (range, value) in Patterns.quantity.ranges(in: text) {
                if let number = Patterns.quantityValue(value) { claim("quantity", String(number), range) }
            }
        }
        for product in products.names(in: text) {
            entities.append(Entity(kind: "product", value: product.sku, text: product.name))
        }
        for (kind, expression) in custom {
            for (range, value) in expression.ranges(in: text) { claim(kind, value, range) }
        }
        return entities
    }
}

/// The fixed patterns of entity extraction.
enum Patterns {
    static let email = try! NSRegularExpression(pattern: #"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}"#)
    static let phone = try! NSRegularExpression(
        pattern: #"(?<![\w])(?:\+44\s?\(?0?\)?\s?|0)(?:\d[\s-]?){8,9}\d(?!\d)|\+\d{1,3}(?:[\s-]?\d){7,12}(?!\d)"#)
    static let amount = try! NSRegularExpression(
        pattern:
            #"[£$€]\s?\d{1,3}(?:,\d{3})+(?:\.\d{1,2})?|[£$€]\s?\d+(?:[.,]\d{1,2})?|\b\d+(?:\.\d{1,2})?\s?(?:GBP|EUR|USD|pounds?|quid|euros?|dollars?)\b"#,
        options: [.caseInsensitive])
    static let quantity = try! NSRegularExpression(
        pattern:
            #"\b(?:x\s?(\d{1,3})|(\d{1,3})\s?x|(\d{1,3}|one|two|three|four|five|six|seven|eight|nine|ten|a couple of)\s+(?:of\s+(?:them|these|those)|items?|units?|pieces?|pcs|sets?|packs?|pairs?))\b"#,
        options: [.caseInsensitive])

    static func amountValue(_ text: String) -> String? {
        let lower = text.lowercased()
        let currency: String
        if lower.contains("$") || lower.contains("dollar") || lower.contains("usd") {
            currency = "USD"
        } else if lower.contains("€") || lower.contains("eur") {
            currency = "EUR"
        } else {
            currency = "GBP"
        }
        let digits = text.filter { $0.isNumber || $0 == "." || $0 == "," }
        // "1,250" groups thousands; "12,50" is a decimal comma.
        let grouped = digits.range(of: #"^\d{1,3}(,\d{3})+(\.\d+)?$"#, options: .regularExpression) != nil
        let number =
            grouped ? digits.replacingOccurrences(of: ",", with: "") : digits.replacingOccurrences(of: ",", with: ".")
        guard let value = Double(number) else { return nil }
        return String(format: "%.2f %@", value, currency)
    }

    /// Words without which the quantity pattern cannot match a message that has no digits.
    static let quantityWords = [
        "one ", "two ", "three ", "four ", "five ", "six ", "seven ", "eight ", "nine ", "ten ", "couple",
    ]

    static func quantityValue(_ text: String) -> Int? {
        let words = [
            "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
            "nine": 9, "ten": 10, "a couple of": 2,
        ]
        let lower = text.lowercased()
        if let digits = Int(lower.filter(\.isNumber)), digits > 0 { return digits }
        return words.first { lower.hasPrefix($0.key) }?.value
    }
}

extension NSRegularExpression {
    /// Every match of the expression in `text` with its range and text.
    func ranges(in text: String) -> [(Range<String.Index>, String)] {
        matches(in: text, range: NSRange(text.startIndex..., in: text)).compactMap { match in
            Range(match.range, in: text).map { ($0, String(text[$0])) }
        }
    }
}
