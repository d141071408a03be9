import Collector
import InMemoryLogging
import Logging
import Market
import PairbookApp
import PairbookTestSupport
import RedisClient
import ServiceLifecycle
import Testing

@Suite("RedisLiveBuffer against a real redis-server", .enabled(if: RedisTestServer.isUsable, Comment(rawValue: RedisTestServer.skipReason)))
struct RedisLiveBufferTests {
    static let patience: Duration = .seconds(300)  // the whole suite runs at once on 2 cores: its first minutes are CPU-bound

    /// Runs `buffer` in a service group while `body` runs, then shuts it down gracefully.
    static func running(_ buffer: RedisLiveBuffer<ContinuousClock>, _ body: () async throws -> Void) async throws {
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(services: [buffer], logger: .quiet))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            try await body()
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
    }

    /// The `id` fields of a stream, oldest first.
    static func streamIDs(_ key: String, on client: RedisConnection) async throws -> [Int64] {
        let entries = try await client.send(RedisCommand("XRANGE", key, "-", "+")).array ?? []
        return entries.compactMap { entry in
            let fields = entry.array?.last?.array?.compactMap(\.string) ?? []
            return fields.firstIndex(of: "id").flatMap { Int64(fields[$0 + 1]) }
        }
    }

    @Test("trades go to pairbook:trades:<SYMBOL> (capped near 1,000) and bar updates to pairbook:bars, with their fields")
    func writes() async throws {
        let redis = try await RedisTestServer.start()
        defer { redis.stop() }
        let configuration = redis.configuration
        let buffer = RedisLiveBuffer(configuration: configuration, logger: .quiet)
        let check = try await RedisConnection.connect(to: configuration, logger: .quiet)
        let bar = ResampledBar(symbol: "ETHUSDT", timeframe: .oneMinute, bar: Bar(
            openTime: Timestamp(milliseconds: 1_721_347_200_000), open: 3400, high: 3410.5, low: 3399, close: 3405,
            volume: 12.5, quoteVolume: 42_562.5, trades: 7, takerBuyVolume: 5))
        try await Self.running(buffer) {
            // 30 batches of 100 trades, as the recorder hands them over (each written before the next: none dropped).
            for start in stride(from: Int64(1), through: 2_901, by: 100) {
                buffer.submit(LiveTradeBufferTests.batch(start...(start + 99)))
                try await FakeBinanceServer.wait(timeout: Self.patience) { buffer.snapshot.writtenTrades == Int(start) + 99 }
            }
            buffer.submit(LiveTradeBufferTests.batch(1...3, "ETHUSDT", bars: [bar]))
            try await FakeBinanceServer.wait(timeout: Self.patience) { buffer.snapshot.writtenTrades == 3_003 }
        }
        let ids = try await Self.streamIDs("pairbook:trades:BTCUSDT", on: check)
        // MAXLEN ~ trims whole nodes: at least 1,000 entries and not many more, the newest last.
        #expect(ids.count >= 1_000 && ids.count < 1_200, "\(ids.count) entries")
        #expect(ids == Array((3_001 - Int64(ids.count))...3_000))
        let newest = try await check.send(RedisCommand("XREVRANGE", "pairbook:trades:ETHUSDT", "+", "-", "COUNT", "1"))
        #expect(newest.array?.first?.array?.last?.array?.compactMap(\.string) == [
            "price", "64003.0", "quantity", "0.001", "time", "1721347200003", "id", "3", "side", "buy",
        ])
        let bars = try await check.send(RedisCommand("XRANGE", "pairbook:bars", "-", "+")).array ?? []
        #expect(bars.count == 1)
        #expect(bars.first?.array?.last?.array?.compactMap(\.string) == [
            "symbol", "ETHUSDT", "timeframe", "1m", "open_time", "1721347200000", "open", "3400.0", "high", "3410.5",
            "low", "3399.0", "close", "3405.0", "volume", "12.5", "quote_volume", "42562.5", "trades", "7",
        ])
        let snapshot = buffer.snapshot
        #expect(snapshot.connected && snapshot.writtenTrades == 3_003 && snapshot.droppedTrades == 0 && snapshot.unwrittenTrades == 0)
        await check.close()
    }

    @Test("Redis absent at the start: one warning, trades kept; when it starts, the last 1,000 per symbol are written")
    func absentThenBack() async throws {
        let port = try LoopbackHTTP.freePort()
        let configuration = RedisTestServer.configuration(port: port)
        let (logger, log) = Logger.recording()
        let buffer = RedisLiveBuffer(configuration: configuration, backoff: RedisBackoff(initial: .milliseconds(20), maximum: .milliseconds(200)),
                                     logger: logger)
        /// How many entries of `level` begin with `text`.
        @Sendable func count(_ level: Logger.Level, _ text: String) -> Int {
            log.entries.count { $0.level == level && $0.message.description.hasPrefix(text) }
        }
        try await Self.running(buffer) {
            for start in stride(from: Int64(1), through: 1_901, by: 100) {
                buffer.submit(LiveTradeBufferTests.batch(start...(start + 99)))
            }
            try await FakeBinanceServer.wait(timeout: Self.patience) { count(.warning, "Redis is not reachable") == 1 }
            // Attempts go on (paced by the backoff) while trades keep coming; still one line.
            buffer.submit(LiveTradeBufferTests.batch(2_001...2_100))
            let redis = try await RedisTestServer.start(port: port)
            defer { redis.stop() }
            try await FakeBinanceServer.wait(timeout: Self.patience) { buffer.snapshot.unwrittenTrades == 0 && buffer.snapshot.connected }
            let check = try await RedisConnection.connect(to: configuration, logger: .quiet)
            #expect(try await Self.streamIDs("pairbook:trades:BTCUSDT", on: check) == Array(1_101...2_100))
            await check.close()
        }
        #expect(count(.warning, "Redis is not reachable") == 1)
        #expect(count(.notice, "Redis is back") == 1)
        #expect(buffer.snapshot.droppedTrades == 1_100)
    }

    @Test("submitting never waits for Redis: against a server that never answers, every batch is taken at once")
    func neverBlocks() async throws {
        try await FakeBinanceServer.Silent.withServer { silent in
            var configuration = RedisTestServer.configuration(port: silent.port)
            configuration.commandTimeout = .seconds(600)
            let buffer = RedisLiveBuffer(configuration: configuration, logger: .quiet)
            try await Self.running(buffer) {
                // The writer's pipeline hangs on the silent server; the recorder's side goes on regardless.
                buffer.submit(LiveTradeBufferTests.batch(1...10))
                try await FakeBinanceServer.wait(timeout: Self.patience) { silent.acceptedConnections >= 1 }
                for start in stride(from: Int64(11), through: 49_011, by: 1_000) {
                    buffer.submit(LiveTradeBufferTests.batch(start...(start + 999)))
                }
                let snapshot = buffer.snapshot
                #expect(snapshot.writtenTrades == 0)
                #expect(snapshot.unwrittenTrades == 1_000)
                #expect(snapshot.droppedTrades == 49_010)
            }
        }
    }
}
