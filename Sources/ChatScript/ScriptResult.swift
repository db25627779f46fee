import Foundation
import ShopTalkKit

/// What happened to one step of a script.
public struct StepOutcome: Sendable {
    public var step: Step
    public var passed: Bool
    /// What was seen instead, for a failed expectation; the command's error, for a failed command.
    public var seen: String?
}

/// The outcome of running one script.
public struct ScriptResult: Sendable {
    public var script: Script
    public var outcomes: [StepOutcome]
    public var turns: [Turn]
    /// A fault that stopped the script (the ledger could not be written, a pinned prompt is unknown…).
    public var error: String?
    public var seconds: Double

    public var passed: Bool { error == nil && outcomes.allSatisfy(\.passed) }

    /// The failed steps.
    public var failures: [StepOutcome] { outcomes.filter { !$0.passed } }
}
