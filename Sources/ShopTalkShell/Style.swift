import Foundation

/// Terminal styling: ANSI colours only on a terminal, and never with `NO_COLOR` set.
package struct Style: Sendable {
    package let enabled: Bool

    package init(enabled: Bool) {
        self.enabled = enabled
    }

    /// Colour when stdout is a terminal, `TERM` is not `dumb` and `NO_COLOR` is unset or empty.
    package static func forStandardOutput(environment: [String: String] = ProcessInfo.processInfo.environment) -> Style
    {
        let noColor = environment["NO_COLOR"].map { !$0.isEmpty } ?? false
        return Style(enabled: isatty(STDOUT_FILENO) == 1 && environment["TERM"] != "dumb" && !noColor)
    }

    package func bot(_ text: String) -> String { paint(text, "36") }
    package func dim(_ text: String) -> String { paint(text, "2") }
    package func bold(_ text: String) -> String { paint(text, "1") }
    package func error(_ text: String) -> String { paint(text, "31") }
    package func good(_ text: String) -> String { paint(text, "32") }
    package func warn(_ text: String) -> String { paint(text, "33") }

    private func paint(_ text: String, _ code: String) -> String {
        enabled ? "\u{1b}[\(code)m\(text)\u{1b}[0m" : text
    }
}
