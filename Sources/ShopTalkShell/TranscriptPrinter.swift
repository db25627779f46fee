import ChatScript
import Foundation
import ShopTalkKit

/// Prints a script's transcript as it runs, marking each expectation as it passes or fails.
struct TranscriptPrinter: Sendable {
    let style: Style

    func lines(for event: ScriptEvent) -> [String] {
        switch event {
        case .message(let text):
            return [style.bold("user: ") + text]
        case .reply(let turn):
            return [style.bot("bot:  ") + TerminalLayout.forStandardOutput(turn.reply, indent: 6)]
        case .command(let text, let output):
            return [style.dim(text)] + (output.map { [style.bot("bot:  ") + $0] } ?? [])
        case .expectation(let outcome):
            if outcome.passed { return ["  " + style.good("✓ ") + outcome.step.source] }
            var lines = ["  " + style.error("✗ ") + outcome.step.source + style.dim("  (line \(outcome.step.line))")]
            if let seen = outcome.seen { lines.append("      seen: " + seen) }
            return lines
        }
    }
}
