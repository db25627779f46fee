/// A one-pass count of what decides whether costly patterns can match a text at all: most messages and
/// replies hold no '@' and few digits, so email, phone, card and order-id patterns need not run on them.
struct TextProfile {
    /// How many ASCII digits the text holds.
    var digits = 0
    /// Whether the text holds an '@'.
    var hasAt = false

    init(_ text: String) {
        for byte in text.utf8 {
            if byte >= 0x30 && byte <= 0x39 {
                digits += 1
            } else if byte == 0x40 {
                hasAt = true
            }
        }
    }
}
