/// What a guardrail decided about a message or a reply.
public struct GuardVerdict: Codable, Sendable, Hashable {
    /// `normalise`, `length`, `injection`, `pii`, `policy`, `grounding`, `rate_limit`, `empty`.
    public var name: String
    /// `input` or `output`.
    public var stage: String
    /// `flag` (noted), `redact` (text changed), `block` (the turn was refused or the reply replaced).
    public var action: String
    public var detail: String

    public init(name: String, stage: String, action: String, detail: String) {
        self.name = name
        self.stage = stage
        self.action = action
        self.detail = detail
    }
}
