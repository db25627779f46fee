import Foundation

extension Session {
    /// Stages 6 to 9: render the prompt, look in the cache, call the routed model (with fallbacks), and
    /// guard the reply.
    func generate(
        into turn: inout Turn, key: String, context: TemplateValue, retrieval: Retrieval,
        clock: inout Stopwatch
    ) async {
        // 6. render; personal data is masked before anything leaves for an outside model
        let model = turn.route.model ?? engine.config.routing.defaultModel
        var messages = [ChatMessage(role: "system", content: prompt.system.render(context))]
        for earlier in turns.suffix(6) where !earlier.message.isEmpty {
            messages.append(ChatMessage(role: "user", content: earlier.message))
            messages.append(ChatMessage(role: "assistant", content: earlier.reply))
        }
        messages.append(ChatMessage(role: "user", content: prompt.user.render(context)))
        var mask = PIIMask()
        if model != "builtin" {
            let detector = PIIDetector()
            let known = knownPersonalData
            messages = messages.map { message in
                ChatMessage(
                    role: message.role,
                    content: mask.mask(message.content, spans: detector.spans(in: message.content, known: known)))
            }
        }
        let grounding = Grounding(
            intent: key, template: prompt.replySources[key],
            context: context)
        let request = ModelRequest(
            messages: messages, temperature: prompt.temperature, maxTokens: prompt.maxTokens,
            seed: seed, grounding: grounding)
        turn.prompt = prompt.reference
        turn.rendered = messages
        turn.renderedPromptHash = Self.renderedHash(messages)
        clock.lap("render", into: &turn)

        // 7. cache
        let cacheKey = Self.cacheKey(model: model, request: request, retrieved: turn.retrieved)
        var response: ModelResponse?
        var servedBy = model
        if engine.config.cache.enabled {
            if let cached = cache.lookup(cacheKey) {
                response = cached
                turn.cache = "hit"
            } else {
                turn.cache = "miss"
            }
        }
        clock.lap("cache", into: &turn)

        // 8. generate: the routed model with retries, then each fallback in turn; a replay may reuse the
        // recorded output of an unchanged prompt, and never calls an outside model unless it may
        if response == nil, let replay, let hash = turn.renderedPromptHash {
            if let recorded = replay.outputs[hash] {
                response = recorded.response
                servedBy = recorded.model
                turn.flags.append("recorded_output")
            } else if model != "builtin" && !replay.live {
                turn.flags.append("needs_live_call")
                turn.model = model
                turn.reply = "(not replayed: the rendered prompt changed, so this turn needs a live model call)"
                clock.lap("generate", into: &turn)
                return
            }
        }
        if response == nil {
            do {
                let routed = try await engine.router.complete(request, model: model)
                turn.attempts = routed.attempts
                response = routed.response
                servedBy = routed.model
                if turn.cache == "miss" { cache.store(routed.response, for: cacheKey) }
            } catch is CancellationError {
                // The operator stopped waiting; the turn still ends with the fallback reply and is audited.
                turn.flags.append("cancelled")
                turn.attempts.append(
                    ModelAttempt(
                        model: model, outcome: "cancelled", error: "the turn was cancelled before this model answered",
                        micros: clock.microsSinceLap))
            } catch let failure as RoutingFailure {
                turn.attempts = failure.attempts
            } catch {
                turn.attempts.append(ModelAttempt(model: model, outcome: "error", error: "\(error)", micros: 0))
            }
        }
        turn.model = servedBy
        turn.modelOutput = response?.text
        guard let response else {
            if !turn.flags.contains("cancelled") { turn.flags.append("model_unavailable") }
            turn.reply = reply(for: "policy_blocked", context: context)
            clock.lap("generate", into: &turn)
            return
        }
        let price = engine.config.models[servedBy]?.price ?? ModelPrice()
        turn.usage = Usage(
            inputTokens: response.inputTokens, outputTokens: response.outputTokens,
            cachedInputTokens: response.cachedInputTokens,
            cost: turn.cache == "hit" ? 0 : price.cost(of: response))
        clock.lap("generate", into: &turn)

        // 9. guard output
        let allowed = Set(knownPersonalData.map(\.value))
        let orders = retrieval.order.map { [$0] + retrieval.orders } ?? retrieval.orders
        let grounded =
            (retrieval.articles.map { $0.article.title + "\n" + $0.article.body }
            + orders.map { "\($0.id) \($0.carrier) \($0.tracking)" }
            + retrieval.products.map { "\($0.sku) \($0.name) \($0.description)" }).joined(separator: "\n")
        let checked = engine.outputGuard.inspect(
            mask.unmask(response.text), allowed: allowed, orders: orders, orderIDs: engine.orderIDs,
            grounded: grounded)
        turn.guards += checked.verdicts
        turn.reply = checked.blocked ? reply(for: "policy_blocked", context: context) : checked.reply
        clock.lap("guard_output", into: &turn)
    }

    /// The exact-cache key: the model, the decoding parameters, the messages, what the built-in responder
    /// composes from, and the versions of the records used.
    static func cacheKey(model: String, request: ModelRequest, retrieved: [RetrievedItem]) -> String {
        var material: [UInt8] = []
        material.reserveCapacity(4096)
        func add(_ text: String) {
            material += text.utf8
            material.append(0x1f)
        }
        add(model)
        add("\(request.temperature)|\(request.maxTokens)|\(request.seed.map(String.init) ?? "-")")
        for message in request.messages {
            add(message.role)
            add(message.content)
        }
        if let grounding = request.grounding {
            add(grounding.intent)
            add(grounding.template ?? "-")
            grounding.context.appendCanonical(to: &material)
        }
        for item in retrieved { add("\(item.kind):\(item.id):\(item.version)") }
        return Digest.sha256Hex(Data(material))
    }

    /// The hash of the messages exactly as sent.
    static func renderedHash(_ messages: [ChatMessage]) -> String {
        var material: [UInt8] = []
        for message in messages {
            material += message.role.utf8
            material.append(0x1f)
            material += message.content.utf8
            material.append(0x1e)
        }
        return Digest.sha256Hex(Data(material))
    }
}
