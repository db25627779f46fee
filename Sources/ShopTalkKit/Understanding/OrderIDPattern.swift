import Foundation

/// The shape of the workspace's order ids, learned from the ids themselves, so `#hl 482913`,
/// `HL482913` and `482913` all read as `HL-482913` without any configuration.
public struct OrderIDPattern: Sendable {
    /// The id prefixes seen, upper-cased (`HL`), empty when ids are bare numbers.
    public private(set) var prefixes: [String]
    /// The separator between prefix and digits in canonical ids (`-`).
    public private(set) var separator: String
    /// The lengths of the numeric part.
    public private(set) var digitCounts: [Int]
    private let expression: NSRegularExpression
    private let prefixedNumber: NSRegularExpression?

    /// Learns the shape from a sample of real ids; falls back to a generic shape when they disagree.
    public init(sampleIDs: [String]) {
        var prefixes: [String: Int] = [:]
        var separators: [String: Int] = [:]
        var digits: Set<Int> = []
        let shape = try! NSRegularExpression(pattern: #"^([A-Za-z]*)([-_ /]?)(\d+)$"#)
        for id in sampleIDs {
            let range = NSRange(id.startIndex..., in: id)
            guard let match = shape.firstMatch(in: id, range: range) else { continue }
            let part = { (index: Int) in String(id[Range(match.range(at: index), in: id)!]) }
            prefixes[part(1).uppercased(), default: 0] += 1
            separators[part(2), default: 0] += 1
            digits.insert(part(3).count)
        }
        if prefixes.isEmpty || digits.isEmpty || digits.count > 3 {
            self.prefixes = ["ORD"]
            separator = "-"
            digitCounts = [4, 5, 6, 7, 8]
        } else {
            self.prefixes = prefixes.keys.sorted { $0.count > $1.count || ($0.count == $1.count && $0 < $1) }
            separator = separators.max { $0.value < $1.value }?.key ?? ""
            digitCounts = digits.sorted()
        }
        expression = Self.expression(prefixes: self.prefixes, digitCounts: digitCounts)
        let written = self.prefixes.filter { !$0.isEmpty }.map(NSRegularExpression.escapedPattern)
        prefixedNumber =
            written.isEmpty
            ? nil
            : try? NSRegularExpression(
                pattern:
                    "(?<![A-Za-z0-9-])(?:#\\s*)?(\(written.joined(separator: "|")))\\s*[-_/]?\\s*(\\d{2,})",
                options: [.caseInsensitive])
    }

    /// An id of the right shape that belongs to nobody in particular, to show customers what to type.
    public var example: String {
        let digits = String("1234567890123".prefix(digitCounts.last ?? 6))
        guard let prefix = prefixes.first, !prefix.isEmpty else { return digits }
        return prefix + separator + digits
    }

    /// Every order id in `text` with its range, canonicalised.
    ///
    /// - Parameter prefixed: only ids written with their prefix, where the workspace's ids have one.
    public func matches(in text: String, prefixed: Bool = false) -> [(value: String, range: Range<String.Index>)] {
        let range = NSRange(text.startIndex..., in: text)
        return expression.matches(in: text, range: range).compactMap { match in
            guard let whole = Range(match.range, in: text), let digitRange = Range(match.range(at: 2), in: text)
            else { return nil }
            let digits = text[digitRange].filter(\.isNumber)
            guard digitCounts.contains(digits.count) else { return nil }
            let written = Range(match.range(at: 1), in: text).map { String(text[$0]).uppercased() }
            if prefixed && (written ?? "").isEmpty && prefixes.contains(where: { !$0.isEmpty }) { return nil }
            let prefix = written ?? prefixes.first ?? ""
            return (prefix.isEmpty ? String(digits) : prefix + separator + digits, whole)
        }
    }

    /// Ids written with the workspace's prefix but too few or too many digits, such as `HL-86455` where ids
    /// have six: a mistyped id, to be answered as not found rather than ignored.
    public func misshapenIDs(in text: String) -> [(value: String, range: Range<String.Index>)] {
        guard let prefixedNumber else { return [] }
        let range = NSRange(text.startIndex..., in: text)
        return prefixedNumber.matches(in: text, range: range).compactMap { match in
            guard let whole = Range(match.range, in: text), let prefix = Range(match.range(at: 1), in: text),
                let digits = Range(match.range(at: 2), in: text), !digitCounts.contains(text[digits].count)
            else { return nil }
            return (text[prefix].uppercased() + separator + text[digits], whole)
        }
    }

    private static func expression(prefixes: [String], digitCounts: [Int]) -> NSRegularExpression {
        let longest = digitCounts.max() ?? 6
        let shortest = digitCounts.min() ?? 6
        let alternatives = prefixes.filter { !$0.isEmpty }.map(NSRegularExpression.escapedPattern).joined(
            separator: "|")
        let prefix = alternatives.isEmpty ? "()" : "(?:(\(alternatives))\\s*[-_/]?\\s*)?"
        // Digits may be written in groups ("482 913"); the count is checked after separators are dropped.
        let body = "(\\d(?: ?\\d){\(shortest - 1),\(longest - 1)})"
        // Not the tail of a longer number written in groups, such as a phone number.
        let pattern = "(?<![A-Za-z0-9-])(?<![0-9] )(?<![0-9]-)(?:#\\s*)?\(prefix)\(body)(?![0-9]|-[0-9])"
        let fallback = "(?<![A-Za-z0-9])#?()(\\d{\(shortest),\(longest)})(?![0-9])"
        return (try? NSRegularExpression(pattern: pattern, options: [.caseInsensitive]))
            ?? (try! NSRegularExpression(pattern: fallback))
    }
}
