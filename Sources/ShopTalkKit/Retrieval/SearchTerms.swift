/// Turns a message into full-text search terms.
enum SearchTerms {
    static let stopwords: Set = [
        "a", "about", "am", "an", "and", "any", "are", "as", "at", "be", "been", "but", "by", "can", "could", "did",
        "do", "does", "for", "from", "get", "got", "had", "has", "have", "hello", "hi", "how", "i", "if", "im", "in",
        "is", "it", "its", "just", "me", "my", "need", "no", "not", "of", "on", "or", "our", "please", "so", "some",
        "than", "that", "the", "their", "them", "then", "there", "this", "to", "too", "up", "us", "was", "we",
        "what", "when", "where", "which", "who", "why", "will", "with", "would", "you", "your", "thanks", "there",
        "want", "like", "know", "tell", "help", "hey", "still", "yet", "one", "all", "also", "should",
    ]
    /// Words that say a product question is being asked but name no product.
    static let productNoise: Set = [
        "stock", "available", "availability", "price", "cost", "much", "size", "made", "sell", "buy", "have",
        "got", "any", "product", "item", "called", "back", "currently", "moment",
    ]

    static func content(of message: String) -> [String] {
        var seen: Set<String> = []
        return message.lowercased().split { !($0.isLetter || $0.isNumber) }.map(String.init).filter {
            $0.count > 1 && !stopwords.contains($0) && seen.insert($0).inserted
        }
    }

    /// Words an intent's name contributes to the search (`return_policy` → return, policy).
    static func hints(for intent: String) -> [String] {
        let extra: [String: [String]] = [
            "refund_status": ["refund", "processed"], "account_access": ["password", "sign"],
            "account_update": ["account", "details"], "price_adjustment": ["price"], "promo_code": ["promo", "code"],
            "payment_problem": ["payment", "declined"], "privacy": ["data", "privacy"],
            "change_shipping_address": ["delivery", "address"], "return_item": ["return", "start"],
            "complaint": ["complaint"], "invoice": ["invoice", "vat"],
        ]
        let words = intent.split(separator: "_").map(String.init).filter { !["order", "item"].contains($0) }
        return extra[intent] ?? words
    }

    /// Whether the best hit shares a real word with the message, or its title carries the intent's words.
    static func isRelevant(_ article: Article, content: [String], hints: [String]) -> Bool {
        let words = Set(
            (article.title + " " + article.body).lowercased().split { !($0.isLetter || $0.isNumber) }
                .map { stem(String($0)) })
        let title = Set(article.title.lowercased().split { !($0.isLetter || $0.isNumber) }.map { stem(String($0)) })
        return content.contains { words.contains(stem($0)) } || hints.contains { title.contains(stem($0)) }
    }

    /// The share of the message's words that the article's title holds: a title naming what was asked is
    /// the surest sign of the specific answer ("Changing your email address" for "change my email").
    static func titleOverlap(_ article: Article, content: [String]) -> Double {
        guard !content.isEmpty else { return 0 }
        let title = Set(article.title.lowercased().split { !($0.isLetter || $0.isNumber) }.map { stem(String($0)) })
        return Double(content.filter { title.contains(stem($0)) }.count) / Double(content.count)
    }

    /// A crude stem: enough to match "refunds" with "refund" and "delivered" with "delivery".
    static func stem(_ word: String) -> String {
        String(word.prefix(word.count > 6 ? 6 : max(word.count, 4)))
    }
}
