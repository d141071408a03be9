import Logging
import PairbookTestSupport
import RedisClient
import Testing

@Suite("ReconnectingRedisClient", .enabled(if: RedisTestServer.isUsable, Comment(rawValue: RedisTestServer.skipReason)))
struct ReconnectingRedisClientTests {
    @Test("after the server is killed and started again, the client connects again")
    func reconnectsAfterRestart() async throws {
        let redis = try await RedisTestServer.start()
        defer { redis.stop() }
        let client = ReconnectingRedisClient(configuration: redis.configuration,
                                             backoff: RedisBackoff(initial: .milliseconds(20), maximum: .milliseconds(200)),
                                             clock: ContinuousClock(), logger: .quiet)
        #expect(try await client.send(RedisCommand("SET", "k", "before")) == .simpleString("OK"))
        let first = try await client.connection()

        // Given the server killed: commands fail (the lost connection, then refused connects)
        redis.kill()
        await #expect(throws: RedisError.self) { try await client.send(RedisCommand("PING")) }
        await #expect(throws: RedisError.self) { try await client.send(RedisCommand("PING")) }
        #expect(await client.consecutiveFailures >= 1)

        // When it is back on the same port (empty: no persistence)
        try await redis.restart()

        // Then a later command reconnects, on a new connection
        var reply: RESPValue?
        let patience = ContinuousClock.now + .seconds(60)
        while reply == nil, ContinuousClock.now < patience { reply = try? await client.send(RedisCommand("GET", "k")) }
        #expect(reply == .null)
        #expect(try await client.connection() !== first)
        #expect(await client.consecutiveFailures == 0)
        await client.close()
    }

    @Test("after a failed attempt the next one waits for the backoff on the injected clock")
    func backoffOnClock() async throws {
        let port = try LoopbackHTTP.freePort()
        let clock = ManualClock()
        let client = ReconnectingRedisClient(configuration: RedisTestServer.configuration(port: port),
                                             backoff: RedisBackoff(initial: .seconds(1), maximum: .seconds(8)),
                                             clock: clock, logger: .quiet)
        // The first attempt is made at once and fails: nothing listens.
        await #expect(throws: RedisError.self) { try await client.connection() }
        // The second sleeps until the clock has moved one second on, then tries again (and fails again).
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await #expect(throws: RedisError.self) { try await client.connection() } }
            try await FakeBinanceServer.wait(timeout: .seconds(60)) { clock.sleeperCount == 1 }
            #expect(await client.consecutiveFailures == 1)
            clock.advance(by: .milliseconds(999))
            #expect(clock.sleeperCount == 1)
            clock.advance(by: .milliseconds(1))
            try await group.waitForAll()
        }
        #expect(await client.consecutiveFailures == 2)
        // The third waits two seconds.
        try await withThrowingTaskGroup(of: Void.self) { group in
            let redis = try await RedisTestServer.start(port: port)
            defer { redis.stop() }
            group.addTask { _ = try await client.connection() }
            try await FakeBinanceServer.wait(timeout: .seconds(60)) { clock.sleeperCount == 1 }
            clock.advance(by: .seconds(2))
            try await group.waitForAll()
            #expect(await client.consecutiveFailures == 0)
            await client.close()
        }
    }
}
