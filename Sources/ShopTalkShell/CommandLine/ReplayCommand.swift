import ChatScript
import Foundation
import ShopTalkKit

/// `shoptalk replay SESSION… | --since T [--against NAME@VER] [--model recorded|live] [--exit-code]`.
enum ReplayCommand {
    static func run(_ arguments: [String], _ global: GlobalOptions) async throws -> Int32 {
        var sessions: [String] = []
        var since: String?
        var against: String?
        var live = false
        var exitCode = false
        var iterator = arguments.makeIterator()
        while let argument = iterator.next() {
            switch argument {
            case "--since":
                guard let value = iterator.next(),
                    (try? Date(value, strategy: .iso8601)) != nil
                        || (try? Date(value + "T00:00:00Z", strategy: .iso8601)) != nil
                else { throw UsageError("--since needs a date or time such as 2026-12-01 or 2026-12-01T09:00:00Z") }
                since = value
            case "--against":
                guard let value = iterator.next() else { throw UsageError("--against needs NAME@VERSION") }
                against = value
            case "--model":
                switch iterator.next() {
                case "recorded": live = false
                case "live": live = true
                default: throw UsageError("--model takes recorded or live")
                }
            case "--exit-code": exitCode = true
            case let flag where flag.hasPrefix("-"): throw UsageError("unknown option '\(flag)' for replay")
            default: sessions.append(argument)
            }
        }
        let engine = try global.openEngine()
        let replayer = Replayer(engine: engine)
        if let since { sessions += try replayer.sessions(since: since) }
        guard !sessions.isEmpty else {
            throw UsageError(since == nil ? "replay needs session ids or --since TIME" : "no sessions since \(since!)")
        }
        let style = Style.forStandardOutput()
        var replays: [SessionReplay] = []
        for id in sessions {
            let replay = try await replayer.replay(sessionID: id, against: against, live: live)
            ReplayFormatter.report(replay, style: style).forEach { print($0) }
            replays.append(replay)
        }
        print(ReplayFormatter.summary(replays))
        return exitCode && replays.contains { $0.changed > 0 } ? 1 : 0
    }
}
