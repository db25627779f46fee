import Foundation
import Testing

@testable import ShopTalkKit

@Suite("Model router")
struct ModelRouterTests {
    private let request = ModelRequest(messages: [ChatMessage(role: "user", content: "Hi")])
    private static let reply =
        #"{"choices":[{"message":{"content":"Hello"}}],"usage":{"prompt_tokens":3,"completion_tokens":1}}"#

    private func model(_ name: String, _ server: LoopbackServer, apiKey: String? = nil) -> OpenAIChatModel {
        OpenAIChatModel(name: name, baseURL: server.baseURL, model: "m", apiKey: apiKey, timeout: 5)
    }

    @Test func serverErrorIsRetriedWithBackoffThenSucceeds() async throws {
        let server = try LoopbackServer { request in
            request.sequence < 2 ? .json("overloaded", status: 500) : .json(Self.reply)
        }
        let clock = ManualModelClock()
        let retry = RetryPolicy(maxAttempts: 3, baseDelay: 0.5, maxDelay: 10, jitter: 0)
        let router = ModelRouter(models: [model("local", server)], retry: retry, clock: clock)
        let routed = try await router.complete(request, model: "local")
        #expect(routed.response.text == "Hello")
        #expect(routed.model == "local")
        #expect(routed.attempts.map(\.outcome) == ["error", "error", "ok"])
        #expect(routed.attempts.first?.error?.contains("HTTP 500") == true)
        #expect(clock.sleeps == [0.5, 1.0])
        #expect(server.requests.count == 3)
    }

    @Test func unauthorizedIsNotRetried() async throws {
        let server = try LoopbackServer { _ in .json(#"{"error":"bad key"}"#, status: 401) }
        let clock = ManualModelClock()
        let router = ModelRouter(models: [model("openai", server, apiKey: "sk-secret-value")], clock: clock)
        let failure = await #expect(throws: RoutingFailure.self) { try await router.complete(request, model: "openai") }
        #expect(failure?.attempts.map(\.outcome) == ["error"])
        #expect(failure?.lastError == .http(model: "openai", status: 401, body: #"{"error":"bad key"}"#))
        #expect(failure?.description.contains("sk-secret-value") == false)
        #expect(clock.sleeps.isEmpty)
        #expect(server.requests.count == 1)
    }

    @Test func retriesThenFallsBackToNextModel() async throws {
        let primary = try LoopbackServer { _ in .json("busy", status: 503) }
        let backup = try LoopbackServer { _ in .json(Self.reply) }
        let router = ModelRouter(
            models: [model("cloud", primary), model("local", backup)], fallbacks: ["local"],
            retry: RetryPolicy(maxAttempts: 2), clock: ManualModelClock()
        )
        let routed = try await router.complete(request, model: "cloud")
        #expect(routed.model == "local")
        #expect(routed.attempts.map(\.model) == ["cloud", "cloud", "local"])
        #expect(routed.attempts.map(\.outcome) == ["error", "error", "ok"])
        #expect(primary.requests.count == 2)
        #expect(backup.requests.count == 1)
    }

    @Test func circuitOpensAfterConsecutiveFailuresAndClosesAfterCooldown() async throws {
        let healthy = LockedBox(false)
        let flaky = try LoopbackServer { _ in healthy.current ? .json(Self.reply) : .json("down", status: 500) }
        let backup = try LoopbackServer { _ in .json(Self.reply) }
        let clock = ManualModelClock()
        let router = ModelRouter(
            models: [model("flaky", flaky), model("backup", backup)], fallbacks: ["backup"], retry: .none,
            breaker: CircuitBreakerPolicy(failureThreshold: 2, cooldown: 30), clock: clock
        )
        _ = try await router.complete(request, model: "flaky")
        #expect(await router.circuitState(of: "flaky") == .closed)
        _ = try await router.complete(request, model: "flaky")
        #expect(await router.circuitState(of: "flaky") == .open)

        let whileOpen = try await router.complete(request, model: "flaky")
        #expect(whileOpen.attempts.first?.outcome == "error")
        #expect(whileOpen.attempts.first?.micros == 0)
        #expect(whileOpen.attempts.first?.error == ModelError.circuitOpen(model: "flaky").description)
        #expect(whileOpen.model == "backup")
        #expect(flaky.requests.count == 2)

        clock.advance(by: 30)
        #expect(await router.circuitState(of: "flaky") == .halfOpen)
        healthy.current = true
        let recovered = try await router.complete(request, model: "flaky")
        #expect(recovered.model == "flaky")
        #expect(await router.circuitState(of: "flaky") == .closed)
        #expect(flaky.requests.count == 3)
    }

    @Test func failedTrialCallReopensCircuit() async throws {
        let server = try LoopbackServer { _ in .json("down", status: 500) }
        let clock = ManualModelClock()
        let router = ModelRouter(
            models: [model("flaky", server)], retry: .none,
            breaker: CircuitBreakerPolicy(failureThreshold: 1, cooldown: 5), clock: clock
        )
        await #expect(throws: RoutingFailure.self) { try await router.complete(request, model: "flaky") }
        clock.advance(by: 5)
        #expect(await router.circuitState(of: "flaky") == .halfOpen)
        await #expect(throws: RoutingFailure.self) { try await router.complete(request, model: "flaky") }
        #expect(await router.circuitState(of: "flaky") == .open)
        #expect(server.requests.count == 2)
    }

    @Test func callTimeoutBoundsASlowModel() async throws {
        // The server stalls for a minute and would then answer, so only a working timeout ends the call with
        // an error; elapsed time is not asserted because other suites may hold the machine's cores.
        let server = try LoopbackServer { _ in .stalled(for: 60) }
        let router = ModelRouter(
            models: [model("slow", server)], retry: .none, callTimeout: 0.2, clock: ManualModelClock()
        )
        let failure = await #expect(throws: RoutingFailure.self) { try await router.complete(request, model: "slow") }
        #expect(failure?.lastError == .timedOut(model: "slow", seconds: 0.2))
        #expect(server.requests.count == 1)
    }

    @Test func aModelThatTimesOutIsNotAskedAgainButPassedOverForTheFallback() async throws {
        let slow = try LoopbackServer { _ in .stalled(for: 60) }
        let fast = try LoopbackServer { _ in .json(Self.reply) }
        let router = ModelRouter(
            models: [model("slow", slow), model("fast", fast)], callTimeout: 0.2, clock: ManualModelClock())
        let routed = try await router.complete(request, model: "slow", fallbacks: ["fast"])
        #expect(routed.model == "fast")
        #expect(routed.attempts.map(\.outcome) == ["error", "ok"])
        #expect(slow.requests.count == 1)
    }

    @Test func unknownModelIsPassedOverForTheFallback() async throws {
        let server = try LoopbackServer { _ in .json(Self.reply) }
        let router = ModelRouter(models: [model("local", server)], clock: ManualModelClock())
        let routed = try await router.complete(request, model: "missing", fallbacks: ["local"])
        #expect(routed.attempts.map(\.model) == ["local"])
        #expect(routed.model == "local")
        #expect(server.requests.count == 1)
    }

    @Test func jitteredBackoffIsReproducibleForASeed() async throws {
        func sleeps(seed: UInt64) async throws -> [Double] {
            let server = try LoopbackServer { _ in .json("busy", status: 429) }
            let clock = ManualModelClock()
            let retry = RetryPolicy(maxAttempts: 4, baseDelay: 1, maxDelay: 3, jitter: 0.5)
            let router = ModelRouter(models: [model("local", server)], retry: retry, clock: clock, seed: seed)
            _ = try? await router.complete(request, model: "local")
            #expect(server.requests.count == 4)
            return clock.sleeps
        }
        let first = try await sleeps(seed: 42)
        #expect(first == (try await sleeps(seed: 42)))
        #expect(first.count == 3)
        for (delay, ceiling) in zip(first, [1.0, 2.0, 3.0]) {
            #expect(delay > ceiling / 2 && delay <= ceiling)
        }
    }

    @Test func backoffDoublesUpToTheCap() {
        let retry = RetryPolicy(maxAttempts: 6, baseDelay: 0.25, maxDelay: 1, jitter: 0.5)
        #expect((1...4).map { retry.delay(beforeRetry: $0, unit: 0) } == [0.25, 0.5, 1, 1])
        #expect(retry.delay(beforeRetry: 2, unit: 0.5) == 0.375)
    }
}
