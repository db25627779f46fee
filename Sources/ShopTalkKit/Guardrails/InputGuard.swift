import Foundation

/// The first look at a customer's message: normalisation, a length cap, a prompt-injection score and
/// the personal data it holds.
public struct InputGuard: Sendable {
    /// What the guard made of a message.
    public struct Outcome: Sendable {
        /// The message after normalisation and the length cap.
        public var text: String
        public var verdicts: [GuardVerdict]
        /// 0 (harmless) to 1 (certainly an injection attempt).
        public var injectionScore: Double
        public var pii: [PIISpan]
        /// Whether the message is refused outright.
        public var blocked: Bool
    }

    private let maxCharacters: Int
    private let injectionThreshold: Double
    private let detector = PIIDetector()

    public init(config: GuardrailConfig) {
        maxCharacters = config.maxInputCharacters
        injectionThreshold = config.injectionThreshold
    }

    /// Normalises `raw` and judges it.
    public func inspect(_ raw: String) -> Outcome {
        var verdicts: [GuardVerdict] = []
        var text = Self.normalise(raw)
        // Folding line breaks and runs of spaces is not worth a verdict; removing or changing characters is.
        let spacesFolded = raw.split(whereSeparator: {
            $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r\n" || $0 == "\r"
        })
        .joined(separator: " ")
        if text != spacesFolded {
            verdicts.append(
                GuardVerdict(
                    name: "normalise", stage: "input", action: "redact",
                    detail: "removed control or invisible characters, or folded compatibility forms"))
        }
        if text.count > maxCharacters {
            text = String(text.prefix(maxCharacters))
            verdicts.append(
                GuardVerdict(
                    name: "length", stage: "input", action: "redact", detail: "cut to \(maxCharacters) characters"))
        }
        let score = InjectionScorer.score(text)
        let blocked = score >= injectionThreshold
        if score > 0 {
            verdicts.append(
                GuardVerdict(
                    name: "injection", stage: "input", action: blocked ? "block" : "flag",
                    detail: String(format: "score %.2f (threshold %.2f)", score, injectionThreshold)))
        }
        let pii = detector.spans(in: text)
        if !pii.isEmpty {
            let kinds = Set(pii.map(\.kind)).sorted().joined(separator: ", ")
            verdicts.append(GuardVerdict(name: "pii", stage: "input", action: "flag", detail: "found \(kinds)"))
        }
        return Outcome(text: text, verdicts: verdicts, injectionScore: score, pii: pii, blocked: blocked)
    }

    /// NFKC normalisation, control and zero-width characters removed, runs of white space folded.
    public static func normalise(_ raw: String) -> String {
        let folded = raw.precomposedStringWithCompatibilityMapping
        var scalars = String.UnicodeScalarView()
        var lastWasSpace = false
        for scalar in folded.unicodeScalars {
            if invisible.contains(scalar.value) { continue }
            let isSpace = scalar.properties.isWhitespace
            if isSpace {
                if !lastWasSpace { scalars.append(" ") }
                lastWasSpace = true
                continue
            }
            if scalar.properties.generalCategory == .control || scalar.properties.generalCategory == .format {
                continue
            }
            scalars.append(scalar)
            lastWasSpace = false
        }
        return String(scalars).trimmingCharacters(in: .whitespaces)
    }

    private static let invisible: Set<UInt32> = [
        0x200B, 0x200C, 0x200D, 0x200E, 0x200F, 0x2060, 0x2061, 0x2062, 0x2063, 0x2064, 0xFEFF, 0x00AD,
        0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2066, 0x2067, 0x2068, 0x2069,
    ]
}

/// Scores how much a message reads like an attempt to override the assistant's instructions.
enum InjectionScorer {
    /// A pattern, its weight, and words one of which any match must contain, so most messages skip the pattern.
    private struct Signal: Sendable {
        var expression: NSRegularExpression
        var weight: Double
        var triggers: [String]
    }

    private static let signals: [Signal] = [
        (
            #"\b(ignore|disregard|forget|override)\b.{0,30}\b(instructions?|rules|prompt|guidelines|polic(y|ies))\b"#,
            0.8, ["ignore", "disregard", "forget", "override"]
        ),
        (
            #"\b(system|developer|hidden|initial)\s+(prompt|message|instructions?)\b"#, 0.5,
            ["prompt", "message", "instruction"]
        ),
        (
            #"\b(reveal|show|print|repeat|leak)\b.{0,30}\b(prompt|instructions|rules|configuration)\b"#, 0.5,
            ["prompt", "instructions", "rules", "configuration"]
        ),
        (
            #"\byou are (now|no longer)\b|\bfrom now on,? you\b|\bpretend (to be|you are)\b"#, 0.5,
            ["you are", "from now", "pretend"]
        ),
        (#"\b(jailbreak|dan mode|developer mode|god mode|sudo mode)\b"#, 0.8, ["jailbreak", "mode"]),
        (
            #"<\|?(im_start|im_end|system|endoftext)\|?>|\[/?(system|inst)\]|###\s*(system|instruction)"#, 0.8,
            ["<", "[", "###"]
        ),
        (
            #"\b(act as|roleplay as)\b.{0,40}\b(admin|administrator|manager|developer|unrestricted)\b"#, 0.5,
            ["act as", "roleplay"]
        ),
        (#"\b(give|issue|approve)\b.{0,20}\b(me )?(a )?(full )?refund\b.{0,30}\bwithout\b"#, 0.3, ["without"]),
    ].map {
        Signal(
            expression: try! NSRegularExpression(pattern: $0.0, options: [.caseInsensitive]), weight: $0.1,
            triggers: $0.2)
    }

    static func score(_ text: String) -> Double {
        let lower = text.lowercased()
        let range = NSRange(text.startIndex..., in: text)
        var remaining = 1.0
        for signal in signals where signal.triggers.contains(where: { lower.contains($0) }) {
            if signal.expression.firstMatch(in: text, range: range) != nil { remaining *= 1 - signal.weight }
        }
        return ((1 - remaining) * 100).rounded() / 100
    }
}
