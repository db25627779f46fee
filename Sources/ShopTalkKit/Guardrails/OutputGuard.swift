import Foundation

/// Checks a reply before the customer sees it: personal data that is not the customer's own, forbidden
/// promises, and order facts that contradict the records retrieved.
public struct OutputGuard: Sendable {
    /// What the guard did to a reply.
    public struct Outcome: Sendable {
        public var reply: String
        public var verdicts: [GuardVerdict]
        /// The reply was withdrawn and must be replaced by a safe one.
        public var blocked: Bool
    }

    private let forbidden: [String]
    private let detector = PIIDetector()

    public init(config: GuardrailConfig) {
        forbidden = config.forbiddenPhrases.map { $0.lowercased() }
    }

    /// Judges `reply` given what the customer may see and what retrieval returned.
    ///
    /// - Parameters:
    ///   - allowed: personal data the customer may be shown (their own details, what they wrote).
    ///   - orders: the orders retrieved for the turn; any other order id in the reply is a fabrication.
    ///   - grounded: the text of everything retrieved; a number or order id quoted from it is no leak and no
    ///     fabrication (a tracking number, the store's phone number, an article's example order).
    public func inspect(
        _ reply: String, allowed: Set<String>, orders: [Order], orderIDs: OrderIDPattern, grounded: String = ""
    ) -> Outcome {
        var text = reply
        var verdicts: [GuardVerdict] = []
        let allowedLower = Set(allowed.map { $0.lowercased() })
        let groundedLower = grounded.lowercased()

        let leaked = detector.spans(in: text).filter {
            !allowedLower.contains($0.text.lowercased()) && !groundedLower.contains($0.text.lowercased())
        }
        if !leaked.isEmpty {
            for span in leaked.reversed() { text.replaceSubrange(span.range, with: "[\(span.kind.uppercased())]") }
            let kinds = Set(leaked.map(\.kind)).sorted().joined(separator: ", ")
            verdicts.append(GuardVerdict(name: "pii", stage: "output", action: "redact", detail: "removed \(kinds)"))
        }

        let lower = text.lowercased()
        if let phrase = forbidden.first(where: { lower.contains($0) }) {
            verdicts.append(
                GuardVerdict(
                    name: "policy", stage: "output", action: "block", detail: "forbidden promise: '\(phrase)'"))
            return Outcome(reply: text, verdicts: verdicts, blocked: true)
        }

        let known = Dictionary(orders.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        for match in orderIDs.matches(in: text, prefixed: true) {
            guard let order = known[match.value] else {
                if groundedLower.contains(match.value.lowercased()) { continue }
                verdicts.append(
                    GuardVerdict(
                        name: "grounding", stage: "output", action: "block",
                        detail: "mentions order \(match.value), which retrieval did not return"))
                return Outcome(reply: text, verdicts: verdicts, blocked: true)
            }
            if let claimed = Self.claimedStatus(in: text, near: match.range), claimed != order.status {
                verdicts.append(
                    GuardVerdict(
                        name: "grounding", stage: "output", action: "block",
                        detail: "says order \(order.id) is \(claimed), but it is \(order.status)"))
                return Outcome(reply: text, verdicts: verdicts, blocked: true)
            }
        }
        return Outcome(reply: text, verdicts: verdicts, blocked: false)
    }

    /// The status a sentence claims for the order mentioned at `range`, when it names exactly one.
    static func claimedStatus(in text: String, near range: Range<String.Index>) -> String? {
        let start =
            text[..<range.lowerBound].lastIndex { ".!?\n".contains($0) }.map { text.index(after: $0) }
            ?? text.startIndex
        let end = text[range.upperBound...].firstIndex { ".!?\n".contains($0) } ?? text.endIndex
        let sentence = text[start..<end].lowercased()
        let phrases: [(String, String)] = [
            ("out for delivery", "out_for_delivery"), ("refunded", "refunded"), ("returned to us", "returned"),
            ("awaiting your return", "return_requested"), ("cancelled", "cancelled"), ("delivered", "delivered"),
            ("on its way", "shipped"), ("shipped", "shipped"), ("dispatched", "shipped"), ("packed", "packed"),
        ]
        var claimed: Set<String> = []
        var remaining = sentence
        for (phrase, status) in phrases where remaining.contains(phrase) {
            claimed.insert(status)
            remaining = remaining.replacingOccurrences(of: phrase, with: " ")
        }
        return claimed.count == 1 ? claimed.first : nil
    }
}
