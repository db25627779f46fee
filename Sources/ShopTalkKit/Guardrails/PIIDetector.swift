import Foundation

/// A piece of personal data found in a text.
public struct PIISpan: Sendable, Hashable {
    /// `email`, `phone`, `card`, `postcode` or `name`.
    public var kind: String
    public var range: Range<String.Index>
    public var text: String
}

/// Finds personal data: email addresses, phone numbers, payment card numbers (Luhn-checked), UK postcodes,
/// and any exact values the caller knows to be personal (the signed-in customer's name, say).
public struct PIIDetector: Sendable {
    private static let email = Patterns.email
    private static let phone = Patterns.phone
    private static let card = try! NSRegularExpression(pattern: #"(?<!\d)(?:\d[ -]?){12,18}\d(?!\d)"#)
    private static let postcode = try! NSRegularExpression(
        pattern: #"\b[A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2}\b"#, options: [.caseInsensitive])

    public init() {}

    /// The personal data in `text`, without overlaps, in order.
    ///
    /// - Parameter known: exact strings to treat as personal data (matched case-insensitively), by kind.
    public func spans(in text: String, known: [(kind: String, value: String)] = []) -> [PIISpan] {
        var spans: [PIISpan] = []
        func add(_ kind: String, _ range: Range<String.Index>) {
            guard !spans.contains(where: { $0.range.overlaps(range) }) else { return }
            spans.append(PIISpan(kind: kind, range: range, text: String(text[range])))
        }
        // Cheap looks first: most texts hold no '@' and too few digits for the patterns to match at all.
        let profile = TextProfile(text)
        let digits = profile.digits
        let at = profile.hasAt
        if at {
            for (range, _) in Self.email.ranges(in: text) { add("email", range) }
        }
        if digits >= 9 {
            for (range, value) in Self.card.ranges(in: text) where Self.passesLuhn(value) { add("card", range) }
            for (range, _) in Self.phone.ranges(in: text) { add("phone", range) }
        }
        if digits >= 2 {
            for (range, _) in Self.postcode.ranges(in: text) { add("postcode", range) }
        }
        for (kind, value) in known where value.count >= 3 {
            for range in Self.occurrences(of: value, in: text) { add(kind, range) }
        }
        return spans.sorted { $0.range.lowerBound < $1.range.lowerBound }
    }

    /// `text` with each of the `known` values replaced by `[KIND]`, without looking for anything else.
    public static func replacing(_ known: [(kind: String, value: String)], in text: String) -> String {
        var spans: [(range: Range<String.Index>, kind: String)] = []
        for (kind, value) in known where value.count >= 3 {
            for range in occurrences(of: value, in: text) where !spans.contains(where: { $0.range.overlaps(range) }) {
                spans.append((range, kind))
            }
        }
        var result = text
        for span in spans.sorted(by: { $0.range.lowerBound > $1.range.lowerBound }) {
            result.replaceSubrange(span.range, with: "[\(span.kind.uppercased())]")
        }
        return result
    }

    /// `text` with every personal datum replaced by `[KIND]`.
    public func redact(_ text: String, known: [(kind: String, value: String)] = []) -> String {
        var result = text
        for span in spans(in: text, known: known).reversed() {
            result.replaceSubrange(span.range, with: "[\(span.kind.uppercased())]")
        }
        return result
    }

    /// Where `needle` occurs in `text`, ignoring ASCII case; a byte search, far cheaper than a locale-aware one.
    static func occurrences(of needle: String, in text: String) -> [Range<String.Index>] {
        let pattern = Array(needle.utf8).map(folded)
        let bytes = text.utf8
        guard let first = pattern.first, bytes.count >= pattern.count else { return [] }
        var found: [Range<String.Index>] = []
        var index = bytes.startIndex
        while let start = bytes[index...].firstIndex(where: { folded($0) == first }) {
            var cursor = start
            var matched = 0
            while matched < pattern.count, cursor < bytes.endIndex, folded(bytes[cursor]) == pattern[matched] {
                matched += 1
                cursor = bytes.index(after: cursor)
            }
            if matched == pattern.count {
                found.append(start..<cursor)
                index = cursor
            } else {
                index = bytes.index(after: start)
            }
        }
        return found
    }

    private static func folded(_ byte: UInt8) -> UInt8 {
        byte >= 0x41 && byte <= 0x5A ? byte + 0x20 : byte
    }

    static func passesLuhn(_ text: String) -> Bool {
        let digits = text.compactMap(\.wholeNumberValue)
        guard (13...19).contains(digits.count) else { return false }
        var sum = 0
        for (offset, digit) in digits.reversed().enumerated() {
            if offset % 2 == 1 {
                let doubled = digit * 2
                sum += doubled > 9 ? doubled - 9 : doubled
            } else {
                sum += digit
            }
        }
        return sum % 10 == 0
    }
}

/// Reversible masking: personal data replaced by numbered placeholders before text leaves for an outside
/// model, and put back into the model's reply.
public struct PIIMask: Sendable, Hashable {
    /// Placeholder to original text.
    public private(set) var originals: [String: String] = [:]
    private var placeholders: [String: String] = [:]

    public init() {}

    /// `text` with its personal data replaced by placeholders such as `[EMAIL_1]`; the same value always gets
    /// the same placeholder within one mask.
    public mutating func mask(_ text: String, spans: [PIISpan]) -> String {
        var result = text
        for span in spans.reversed() {
            let placeholder: String
            if let existing = placeholders[span.text] {
                placeholder = existing
            } else {
                let count = originals.keys.filter { $0.hasPrefix("[\(span.kind.uppercased())_") }.count
                placeholder = "[\(span.kind.uppercased())_\(count + 1)]"
                placeholders[span.text] = placeholder
                originals[placeholder] = span.text
            }
            result.replaceSubrange(span.range, with: placeholder)
        }
        return result
    }

    /// `text` with placeholders replaced by the originals.
    public func unmask(_ text: String) -> String {
        originals.reduce(text) { result, pair in result.replacingOccurrences(of: pair.key, with: pair.value) }
    }
}
