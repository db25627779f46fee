import Foundation

extension Session {
    /// Runs one customer message through every stage and returns the turn, already audited.
    ///
    /// Throws only for faults of the environment (the ledger or the index cannot be used); model failures
    /// fall back and are recorded in the turn.
    public func send(_ raw: String) async throws -> Turn {
        var clock = Stopwatch()
        let now = self.now
        var turn = Turn(
            sessionID: id, index: turns.count + 1, at: Self.timestamp(now), customerID: customer?.id,
            message: "", reply: "", route: Route(kind: "generate", reason: "intent"))

        // 1. admit
        let admitted = rateLimiter.admit(customer?.id ?? id, at: clock.seconds)
        clock.lap("admit", into: &turn)
        guard admitted else {
            turn.message = InputGuard.normalise(raw)
            turn.guards.append(
                GuardVerdict(
                    name: "rate_limit", stage: "input", action: "block",
                    detail:
                        "over \(engine.config.rateLimits.burst) messages at once or \(engine.config.rateLimits.perMinute) a minute"
                ))
            turn.route = Route(kind: "refuse", reason: "rate_limit")
            turn.reply = reply(for: "rate_limited", context: baseContext(message: turn.message))
            return try await finish(turn, clock: clock)
        }

        // 2. guard input
        let inspected = engine.inputGuard.inspect(raw)
        turn.message = inspected.text
        turn.guards += inspected.verdicts
        personalDataSeen += inspected.pii.map { ($0.kind, $0.text) }
        clock.lap("guard_input", into: &turn)
        if inspected.text.isEmpty {
            turn.route = Route(kind: "empty", reason: "empty_message")
            turn.reply = "It looks like your message was empty. How can I help you today?"
            return try await finish(turn, clock: clock)
        }
        if inspected.blocked {
            turn.route = Route(kind: "refuse", reason: "injection")
            turn.reply = reply(for: "refused_injection", context: baseContext(message: turn.message))
            return try await finish(turn, clock: clock)
        }

        // 3. understand
        var withEmbeddings: IntentPrediction?
        if let embeddings = engine.embeddings {
            // When the backend is missing or fails, the n-grams decide alone.
            if let classifier = engine.embeddingClassifier,
                let embedding = try? await embeddings.embed(turn.message, known: knownPersonalData)
            {
                withEmbeddings = classifier.predict(turn.message, embedding: embedding)
                turn.flags.append("intent_with_embeddings")
            } else {
                turn.flags.append("embeddings_unavailable")
            }
        }
        var prediction = withEmbeddings ?? engine.classifier.predict(turn.message)
        turn.entities = engine.extractor.extract(from: turn.message, now: now)
        // A message naming a catalogue product is about the store even when its wording is unfamiliar.
        if prediction.intent == IntentClassifier.outOfScope,
            turn.entities.contains(where: { $0.kind == "sku" || $0.kind == "product" })
        {
            prediction.intent = "product_question"
            turn.flags.append("intent_from_entities")
        }
        turn.intent = prediction
        clock.lap("understand", into: &turn)

        // 4. route, before retrieval where the intent alone decides
        turn.route = route(for: prediction.intent)
        clock.lap("route", into: &turn)

        // 5. retrieve
        var retrieval = Retrieval()
        if turn.route.kind != "handoff" {
            retrieval = try engine.retriever.retrieve(
                intent: prediction.intent, entities: turn.entities, message: turn.message, customerID: customer?.id)
        }
        turn.retrieved = retrieval.items
        turn.flags += retrieval.flags
        let fallback = prediction.intent == IntentClassifier.outOfScope || retrieval.isFallback
        if fallback && turn.route.kind != "handoff" {
            turn.flags.append("fallback")
            if consecutiveFallbacks + 1 >= engine.config.handoff.afterFallbacks {
                turn.route = Route(kind: "handoff", reason: "repeated_fallback")
            }
        }
        consecutiveFallbacks = fallback ? consecutiveFallbacks + 1 : 0
        clock.lap("retrieve", into: &turn)

        if turn.route.kind == "handoff" {
            try openHandoff(reason: turn.route.reason, turn: &turn)
            clock.lap("handoff", into: &turn)
            return try await finish(turn, clock: clock)
        }

        // 6–9. render, cache, generate, guard output
        let situation = prediction.intent == IntentClassifier.outOfScope ? "out_of_scope" : retrieval.situation
        let context = renderContext(
            message: turn.message, intent: prediction.intent, entities: turn.entities,
            retrieval: retrieval, situation: situation)
        let key = situation == "answer" ? prediction.intent : situation
        if turn.route.kind == "template" || situation != "answer" {
            if turn.route.kind != "template" { turn.route = Route(kind: "template", reason: situation) }
            turn.reply = reply(for: key, context: context)
            turn.prompt = prompt.reference
            clock.lap("render", into: &turn)
        } else {
            await generate(into: &turn, key: key, context: context, retrieval: retrieval, clock: &clock)
        }
        offeredHandoff = Self.offersPerson.contains(key) || turn.guarded("policy") || turn.guarded("grounding")
        return try await finish(turn, clock: clock)
    }

    /// Situations whose reply offers to connect the customer with a person.
    static let offersPerson: Set = ["out_of_scope", "no_article", "no_product", "order_not_found", "policy_blocked"]

    /// Hands the conversation to a person at the customer's or operator's request, outside a message.
    public func requestHandoff(reason: String) async throws -> Turn {
        var clock = Stopwatch()
        var turn = Turn(
            sessionID: id, index: turns.count + 1, at: Self.timestamp(now), customerID: customer?.id,
            message: "", reply: "", route: Route(kind: "handoff", reason: reason))
        try openHandoff(reason: reason, turn: &turn)
        clock.lap("handoff", into: &turn)
        return try await finish(turn, clock: clock)
    }

    private func route(for intent: String) -> Route {
        let config = engine.config
        if intent == "human_agent" { return Route(kind: "handoff", reason: "human_requested") }
        if config.handoff.humanOnlyIntents.contains(intent) {
            return Route(kind: "handoff", reason: "human_only_intent")
        }
        if intent == "affirm" && offeredHandoff { return Route(kind: "handoff", reason: "accepted_offer") }
        if config.routing.templateIntents.contains(intent) { return Route(kind: "template", reason: "intent") }
        let model = modelOverride ?? config.routing.intents[intent] ?? prompt.model ?? config.routing.defaultModel
        return Route(kind: "generate", reason: modelOverride == nil ? "intent" : "session_override", model: model)
    }

    private func openHandoff(reason: String, turn: inout Turn) throws {
        let summary: HandoffSummary
        if let existing = handoff {
            summary = existing
        } else {
            summary = HandoffSummary(
                id: "HO-" + String(Digest.sha256Hex(id + turn.at + reason).prefix(8)).uppercased(),
                reason: reason)
            let known = knownPersonalData
            let redact = { (text: String) in PIIDetector().redact(text, known: known) }
            var transcript: [HandoffPacket.Line] = []
            for earlier in turns where earlier.route.kind != "empty" {
                if !earlier.message.isEmpty {
                    transcript.append(.init(role: "customer", text: redact(earlier.message)))
                }
                transcript.append(.init(role: "assistant", text: redact(earlier.reply)))
            }
            if !turn.message.isEmpty { transcript.append(.init(role: "customer", text: redact(turn.message))) }
            let last = turns.last { $0.intent != nil && $0.intent?.intent != "human_agent" }
            let packet = HandoffPacket(
                id: summary.id, sessionID: id, customerID: customer?.id, at: turn.at, reason: reason,
                intent: last?.intent?.intent ?? turn.intent?.intent,
                entities: Self.redacted(turns.flatMap(\.entities) + turn.entities, known: known),
                retrieved: turns.flatMap(\.retrieved), transcript: transcript)
            try engine.handoffs.file(packet)
            handoff = summary
        }
        turn.handoff = summary
        turn.route = Route(kind: "handoff", reason: reason)
        var context = baseContext(message: turn.message)
        context["handoff"] = [
            "id": .string(summary.id), "reason": .string(reason),
            "next_steps": .string(engine.config.handoff.nextSteps),
        ]
        turn.reply = reply(for: "handoff", context: .object(context))
        offeredHandoff = false
        consecutiveFallbacks = 0
    }

    /// Records the turn in the audit log and the session, and returns it.
    private func finish(_ turn: Turn, clock: Stopwatch) async throws -> Turn {
        var turn = turn
        var clock = clock
        if let original = replay?.original { turn.flags.append("replay_of:\(original)") }
        turn.latencyMicros = clock.totalMicros
        let stored = redactedForStorage(turn)
        let payload = String(decoding: try JSONEncoder.sorted.encode(stored), as: UTF8.self)
        _ = try await engine.audit.record(
            AuditRecord(
                kind: "turn", at: turn.at, sessionID: id, turn: turn.index, customerID: customer?.id,
                payload: payload))
        clock.lap("record", into: &turn)
        turn.latencyMicros = clock.totalMicros
        turns.append(turn)
        engine.metrics.record(turn)
        return turn
    }

    /// `text` with the personal data the patterns find, and the customer's own, replaced by `[KIND]`: what the
    /// shell may keep of a message, as in its history file.
    public func redacted(_ text: String) -> String {
        PIIDetector().redact(text, known: knownPersonalData)
    }

    /// The customer's own personal data, which must not be stored in the clear.
    var knownPersonalData: [(kind: String, value: String)] {
        var known = personalDataSeen
        if let customer {
            // The full name first, so it is redacted whole before its first name is.
            known += [
                ("name", customer.name), ("email", customer.email), ("phone", customer.phone),
                ("postcode", customer.postcode), ("name", String(customer.name.split(separator: " ").first ?? "")),
            ]
        }
        return known
    }

    private func redactedForStorage(_ turn: Turn) -> Turn {
        let known = knownPersonalData
        let detector = PIIDetector()
        var stored = turn
        stored.message = detector.redact(turn.message, known: known)
        stored.reply = detector.redact(turn.reply, known: known)
        // The rendered prompt holds personal data only where it quotes the customer's record or messages, all
        // of it known by now, so exact replacement suffices there and spares a pattern scan of a long text.
        stored.rendered = turn.rendered.map {
            ChatMessage(role: $0.role, content: PIIDetector.replacing(known, in: $0.content))
        }
        stored.entities = Self.redacted(turn.entities, known: known)
        return stored
    }

    static func redacted(_ entities: [Entity], known: [(kind: String, value: String)]) -> [Entity] {
        entities.map { entity in
            guard ["email", "phone"].contains(entity.kind) else { return entity }
            return Entity(
                kind: entity.kind, value: "[\(entity.kind.uppercased())]", text: "[\(entity.kind.uppercased())]")
        }
    }
}

/// Times the stages of a turn.
struct Stopwatch {
    private let start = ContinuousClock.now
    private var last = ContinuousClock.now

    /// Seconds since an arbitrary fixed point, for rate limiting.
    var seconds: Double {
        (ContinuousClock.now - Self.origin).seconds
    }

    var totalMicros: Int { (ContinuousClock.now - start).microseconds }

    /// Microseconds since the last lap: how long the stage under way has taken so far.
    var microsSinceLap: Int { (ContinuousClock.now - last).microseconds }

    mutating func lap(_ stage: String, into turn: inout Turn) {
        let now = ContinuousClock.now
        turn.timings.append(StageTiming(stage: stage, micros: (now - last).microseconds))
        last = now
    }

    private static let origin = ContinuousClock.now
}
