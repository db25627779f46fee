import Foundation
import ShopTalkKit

/// Something that happened while a script ran, for printing a transcript as it goes.
public enum ScriptEvent: Sendable {
    case message(String)
    case reply(Turn)
    case expectation(StepOutcome)
    case command(String, output: String?)
}

/// Runs scripts against an engine, each in its own isolated session.
public struct ScriptRunner: Sendable {
    public let engine: Engine

    public init(engine: Engine) {
        self.engine = engine
    }

    /// Runs `script` and reports each step to `observe` as it happens.
    public func run(_ script: Script, observe: (@Sendable (ScriptEvent) -> Void)? = nil) async -> ScriptResult {
        let started = ContinuousClock.now
        var result = ScriptResult(script: script, outcomes: [], turns: [], error: nil, seconds: 0)
        do {
            var session = try await makeSession(for: script)
            for step in script.steps {
                switch step.kind {
                case .user(let message):
                    observe?(.message(message))
                    let turn = try await session.send(message)
                    result.turns.append(turn)
                    observe?(.reply(turn))
                case .expect(let expectation):
                    guard let turn = result.turns.last else { continue }
                    let (passed, seen) = expectation.check(turn)
                    let outcome = StepOutcome(step: step, passed: passed, seen: passed ? nil : seen)
                    result.outcomes.append(outcome)
                    observe?(.expectation(outcome))
                case .command(let text):
                    do {
                        let turn = try await ScriptCommands.run(text, session: &session, script: script, runner: self)
                        observe?(.command(text, output: nil))
                        if let turn {
                            result.turns.append(turn)
                            observe?(.reply(turn))
                        }
                    } catch {
                        let outcome = StepOutcome(step: step, passed: false, seen: "\(error)")
                        result.outcomes.append(outcome)
                        observe?(.expectation(outcome))
                    }
                }
            }
        } catch {
            result.error = "\(error)"
        }
        result.seconds = (ContinuousClock.now - started).seconds
        return result
    }

    /// A fresh session with the script's pinned customer, prompt, model, seed and clock.
    ///
    /// - Parameter cache: the cache of the script's earlier session: the script, not the session, is the unit
    ///   of isolation, so a `/new` session may hit what the one before it cached.
    func makeSession(for script: Script, customer: String? = nil, cache: ResponseCache? = nil) async throws -> Session {
        let session = try engine.makeSession(customerID: customer ?? script.customer, isolated: true, cache: cache)
        if let prompt = script.prompt { try await session.usePrompt(prompt) }
        if let model = script.model { try await session.useModel(model) }
        await session.setSeed(script.seed)
        await session.pinClock(script.now ?? Self.defaultNow)
        return session
    }

    /// Scripts without `@now` run at a fixed time, so their date decisions never depend on the day they run.
    public static let defaultNow = Date(timeIntervalSince1970: 1_796_292_000)
}

/// The shell commands a script may use; display-only ones have no effect on a test run.
enum ScriptCommands {
    /// Runs one command; returns the turn it made, for commands that make one (`/handoff`).
    static func run(_ text: String, session: inout Session, script: Script, runner: ScriptRunner) async throws
        -> Turn?
    {
        let words = text.dropFirst().split(separator: " ").map(String.init)
        let arguments = Array(words.dropFirst())
        switch words.first ?? "" {
        case "as":
            try await session.signIn(arguments.first == "-" ? nil : arguments.first)
            return nil
        case "new":
            let customer = await session.customer?.id
            session = try await runner.makeSession(for: script, customer: customer, cache: session.cache)
            return nil
        case "prompt" where arguments.first == "use" && arguments.count > 1:
            try await session.usePrompt(arguments[1])
            return nil
        case "model" where arguments.first == "use" && arguments.count > 1:
            try await session.useModel(arguments[1] == "-" ? nil : arguments[1])
            return nil
        case "seed":
            await session.setSeed(arguments.first.flatMap { Int($0) })
            return nil
        case "now":
            guard let text = arguments.first else { return nil }
            if text == "-" {
                await session.pinClock(nil)
            } else {
                guard let date = try? Date(text, strategy: .iso8601) else {
                    throw ScriptCommandError("'\(text)' is not an ISO 8601 time such as 2026-12-03T10:00:00Z")
                }
                await session.pinClock(date)
            }
            return nil
        case "handoff":
            return try await session.requestHandoff(
                reason: arguments.isEmpty ? "shell_command" : arguments.joined(separator: "_"))
        case "rate":
            guard let rating = arguments.first.flatMap({ Int($0) }) else {
                throw SessionError.badRating(arguments.first ?? "")
            }
            try await session.rate(rating, comment: arguments.dropFirst().joined(separator: " "))
            return nil
        case "cache" where arguments.first == "clear":
            session.cache.clear()
            return nil
        default:
            return nil
        }
    }
}

/// A script command that could not be carried out.
struct ScriptCommandError: Error, CustomStringConvertible {
    var description: String

    init(_ description: String) {
        self.description = description
    }
}
