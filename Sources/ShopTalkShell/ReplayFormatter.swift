import ChatScript
import Foundation
import ShopTalkKit

/// The text `shoptalk replay` and `/replay` print: per turn what changed, then a summary.
enum ReplayFormatter {
    static func report(_ replay: SessionReplay, style: Style) -> [String] {
        var lines = [
            style.bold("replay of \(replay.original)")
                + style.dim(
                    " as \(replay.customerID ?? "anonymous"), recorded as \(replay.replayID)")
        ]
        for comparison in replay.comparisons {
            let message = comparison.message.isEmpty ? "(handoff command)" : "\"\(comparison.message)\""
            if comparison.changes.isEmpty {
                lines.append("  turn \(comparison.index) \(message): " + style.good("unchanged"))
                continue
            }
            let note = comparison.needsLiveCall ? style.warn(" (needs a live model call: --model live)") : ""
            lines.append("  turn \(comparison.index) \(message): " + style.warn("changed") + note)
            for change in comparison.changes {
                if change.field == "reply" {
                    lines.append("    reply:")
                    lines.append("      " + style.error("- " + change.recorded))
                    lines.append("      " + style.good("+ " + change.replayed))
                } else {
                    lines.append(
                        "    \(change.field): \(change.recorded.isEmpty ? "none" : change.recorded) → "
                            + (change.replayed.isEmpty ? "none" : change.replayed))
                }
            }
        }
        return lines
    }

    static func summary(_ replays: [SessionReplay]) -> String {
        let turns = replays.reduce(0) { $0 + $1.comparisons.count }
        let changed = replays.reduce(0) { $0 + $1.changed }
        let live = replays.reduce(0) { $0 + $1.comparisons.filter(\.needsLiveCall).count }
        return "\(replays.count) session(s), \(turns) turn\(turns == 1 ? "" : "s"): \(turns - changed) unchanged,"
            + " \(changed) changed"
            + (live > 0 ? ", \(live) need a live model call" : "")
    }
}
