import Collector
import Logging
import Market
import PairbookTestSupport
import Storage
import Testing

@Suite("BinanceStream against a local replay server", .enabled(if: SharedData.isAvailable, Comment(rawValue: SharedData.skipReason)))
struct BinanceStreamTests {
    /// BTC and ETH of 2024-07-18 23:57–24:00 UTC, merged by receive time: 25,417 frames, 2,614 trades.
    static let frames: [String] = (try? FakeBinanceServer.Capture.frames(["btcusdt_20240718.gz", "ethusdt_20240718.gz"])) ?? []

    @Test("normal flow: every trade lands once, the 1m bars match the trades, non-trade frames are ignored")
    func normalFlow() async throws {
        let harness = try LiveCollectorHarness()
        let trades = LiveCollectorHarness.trades(in: Self.frames)
        try await FakeBinanceServer.withServer(steps: [.waitForClients(1)] + Self.frames.map { .frame($0) }) { server in
            try await harness.run(LiveCollectorHarness.configuration(endpoint: server.baseURL)) { $0.committedTicks >= trades.count }
            #expect(server.requestedPaths == ["/public/stream?streams=btcusdt@trade/ethusdt@trade"])
        }
        // Then every trade is stored, nothing more, no gap
        let stored = try harness.storedTicks()
        #expect(stored.count == 2614)
        #expect(stored == trades)
        #expect(try harness.store.gaps(for: nil).isEmpty)
        let stats = harness.stats.snapshot()
        #expect(stats.malformed == 0 && stats.reconnects == 0 && stats.duplicates == 0)
        #expect(stats.ignored[.snapshot] == 2)
        #expect(stats.ignored[.depth] == 6599 && stats.ignored[.bookTicker] == 16202)
        #expect(stats.lag.count == UInt64(trades.count))
        // And the 1m bars equal bars built directly from the trades
        for symbol in LiveCollectorHarness.symbols {
            var expected: [Timestamp: Bar] = [:]
            for tick in trades where tick.symbol == symbol {
                let open = Timeframe.oneMinute.barOpen(containing: tick.timestamp)
                if expected[open] == nil { expected[open] = Bar(openTime: open, firstTrade: tick) } else { expected[open]?.add(tick) }
            }
            let range = TimeRange(start: Timestamp(milliseconds: 0), end: Timestamp(milliseconds: 4_102_444_800_000))
            let bars = try await harness.store.bars(for: symbol, timeframe: .oneMinute, in: range).bars
            #expect(bars.count == expected.count, "\(symbol)")
            for bar in bars {
                let want = try #require(expected[bar.openTime])
                #expect(bar.open == want.open && bar.high == want.high && bar.low == want.low && bar.close == want.close)
                #expect(bar.trades == want.trades)
                #expect(abs(bar.volume - want.volume) <= 1e-9 * want.volume)
            }
        }
    }

    @Test("the server drops the connection: the collector reconnects, stores every trade sent while connected, records the hole")
    func dropAndReconnect() async throws {
        let harness = try LiveCollectorHarness()
        let steps: [FakeBinanceServer.Step] = [.waitForClients(1)] + Self.frames[..<8000].map { .frame($0) } + [.dropConnections]
            + Self.frames[8000..<9500].map { .frame($0) } + [.waitForClients(1)] + Self.frames[9500...].map { .frame($0) }
        let delivered = try await FakeBinanceServer.withServer(steps: steps) { server in
            try await harness.run(LiveCollectorHarness.configuration(endpoint: server.baseURL)) { stats in
                // When the drop has been seen, frames 8000..<9500 went out to nobody, and the backoff (≤ 400 ms) has passed
                try await harness.waitForLog(.warning, "connection closed; reconnecting")
                try await FakeBinanceServer.wait(timeout: LiveCollectorHarness.patience) { server.playedSteps >= 1 + 8000 + 1 + 1500 }
                try await harness.advance(by: .milliseconds(400))
                try await LiveCollectorHarness.untilDelivered(server)(stats)
            }
            let delivered = LiveCollectorHarness.trades(in: server.deliveredFrames)
            #expect(server.connectionCount == 2)
            return delivered
        }
        let stored = try harness.storedTicks()
        #expect(stored == delivered)
        let lost = LiveCollectorHarness.trades(in: Array(Self.frames[8000..<9500]))
        #expect(!lost.isEmpty && Set(stored).isDisjoint(with: lost))
        // The holes in the stored id sequence are exactly the recorded gaps
        let holes = LiveCollectorHarness.holes(in: stored)
        let gaps = try harness.store.gaps(for: nil).sorted { ($0.symbol, $0.fromTradeID) < ($1.symbol, $1.fromTradeID) }
        #expect(!holes.isEmpty)
        #expect(gaps.map { "\($0.symbol) \($0.fromTradeID)…\($0.toTradeID)" } == holes.map { "\($0.0) \($0.1)…\($0.2)" })
        let stats = harness.stats.snapshot()
        #expect(stats.reconnects == 1 && stats.gaps == holes.count)
        #expect(harness.logs.contains(level: .warning, "gap in trade ids"))
        #expect(harness.logs.contains(level: .warning, "connection closed; reconnecting"))
    }

    @Test("malformed and unknown frames are skipped and counted, with a sample logged; the connection stays up")
    func malformedAndUnknown() async throws {
        let harness = try LiveCollectorHarness()
        let bad = [
            "{not json",
            #"{"stream":"btcusdt@trade","data":{"e":"trade","E":1721347202813,"T":17213"#,
            #"{"stream":"btcusdt@trade","data":{"e":"trade","E":1,"T":2,"s":"BTCUSDT","t":1,"p":"x","q":"1","X":"MARKET","m":true}}"#,
        ]
        let unknown = [#"{"stream":"btcusdt@markPrice","data":{"e":"markPriceUpdate","E":1,"s":"BTCUSDT","p":"63900.1"}}"#, #"{"id":7}"#]
        var frames = Array(Self.frames[..<3000])
        for (i, frame) in (bad + unknown).enumerated() { frames.insert(frame, at: 500 + i * 400) }
        let trades = LiveCollectorHarness.trades(in: frames)
        try await FakeBinanceServer.withServer(steps: [.waitForClients(1)] + frames.map { .frame($0) }) { server in
            try await harness.run(LiveCollectorHarness.configuration(endpoint: server.baseURL)) { $0.committedTicks >= trades.count }
        }
        #expect(try harness.storedTicks() == trades)
        let stats = harness.stats.snapshot()
        #expect(stats.malformed == 3)
        #expect(stats.ignored[.unknown] == 2)
        #expect(stats.reconnects == 0)
        #expect(harness.logs.contains(level: .warning, "{not json"))
    }

    @Test("trade frames with absurd times or ids are counted as malformed and skipped; no trap, every other trade is stored")
    func absurdTimesAndIDs() async throws {
        // Given real frames with three absurd trade frames among them (an id 2^63-1 would make every later id look old)
        let harness = try LiveCollectorHarness()
        let bad = [
            #"{"stream":"btcusdt@trade","data":{"e":"trade","E":1721347202813,"T":-9223372036854775807,"s":"BTCUSDT","t":5182006000,"p":"63960.00","q":"0.310","X":"MARKET","m":false}}"#,
            #"{"stream":"ethusdt@trade","data":{"e":"trade","E":1721347202813,"T":99999999999999,"s":"ETHUSDT","t":4217897000,"p":"3424.98","q":"0.310","X":"MARKET","m":false}}"#,
            #"{"stream":"btcusdt@trade","data":{"e":"trade","E":1721347202813,"T":1721347202812,"s":"BTCUSDT","t":9223372036854775807,"p":"63960.00","q":"0.310","X":"MARKET","m":false}}"#,
        ]
        var frames = Array(Self.frames[..<3000])
        for (i, frame) in bad.enumerated() { frames.insert(frame, at: 500 + i * 400) }
        let trades = LiveCollectorHarness.trades(in: frames)
        // When they are streamed
        try await FakeBinanceServer.withServer(steps: [.waitForClients(1)] + frames.map { .frame($0) }) { server in
            try await harness.run(LiveCollectorHarness.configuration(endpoint: server.baseURL)) { $0.committedTicks >= trades.count }
        }
        // Then every real trade is stored once, without gaps, and the three frames are counted
        #expect(trades.count == LiveCollectorHarness.trades(in: Array(Self.frames[..<3000])).count)
        #expect(try harness.storedTicks() == trades)
        #expect(try harness.store.gaps(for: nil).isEmpty)
        let stats = harness.stats.snapshot()
        #expect(stats.malformed == 3 && stats.duplicates == 0 && stats.reconnects == 0)
        #expect(harness.logs.contains(level: .warning, "invalid 'T' value"))
    }

    @Test("fragmented messages are reassembled up to the size limit; a longer one is skipped and counted, the connection stays up")
    func oversizedMessage() async throws {
        // Given real frames where one trade arrives in 40-byte fragments, after a 200 kB copy of it in 16 kB fragments
        let harness = try LiveCollectorHarness()
        let frames = Array(Self.frames[..<2000])
        let index = try #require(frames.indices.first { $0 >= 1000 && frames[$0].contains("@trade") })
        let trade = frames[index]
        let huge = String(trade.dropLast(2)) + #","pad":""# + String(repeating: "x", count: 200_000) + #""}}"#
        let steps: [FakeBinanceServer.Step] = [.waitForClients(1)] + frames[..<index].map { .frame($0) }
            + [.fragmented(huge, pieceSize: 16_384), .fragmented(trade, pieceSize: 40)] + frames[(index + 1)...].map { .frame($0) }
        let trades = LiveCollectorHarness.trades(in: frames)
        // When they are streamed to a collector accepting messages of up to 64 kB
        try await FakeBinanceServer.withServer(steps: steps) { server in
            var configuration = LiveCollectorHarness.configuration(endpoint: server.baseURL)
            configuration.maximumMessageSize = 64 << 10
            try await harness.run(configuration) { $0.committedTicks >= trades.count }
        }
        // Then the oversized message is counted as malformed and dropped, the fragmented trade is stored once
        #expect(try harness.storedTicks() == trades)
        let stats = harness.stats.snapshot()
        #expect(stats.malformed == 1 && stats.duplicates == 0 && stats.reconnects == 0)
        #expect(harness.logs.contains(level: .warning, "oversized message skipped"))
    }

    @Test("a stalled server (connection open, nothing sent) is detected by the watchdog, logged loudly, and reconnected")
    func stall() async throws {
        let harness = try LiveCollectorHarness()
        let steps: [FakeBinanceServer.Step] = [.waitForClients(1)] + Self.frames[..<3000].map { .frame($0) } + [.stallUntilReconnect]
            + Self.frames[3000..<6000].map { .frame($0) }
        let before = LiveCollectorHarness.trades(in: Array(Self.frames[..<3000])).count
        let trades = LiveCollectorHarness.trades(in: Array(Self.frames[..<6000]))
        try await FakeBinanceServer.withServer(steps: steps) { server in
            try await harness.run(LiveCollectorHarness.configuration(endpoint: server.baseURL, watchdog: .seconds(1))) { stats in
                // Given everything before the stall committed; when the watchdog's second has passed in silence
                try await FakeBinanceServer.wait(timeout: LiveCollectorHarness.patience) { stats.snapshot().committedTicks >= before }
                try await harness.advance(by: .seconds(1))
                // And the backoff after the watchdog closed the connection
                try await harness.waitForLog(.warning, "connection closed; reconnecting")
                try await harness.advance(by: .milliseconds(400))
                try await FakeBinanceServer.wait(timeout: LiveCollectorHarness.patience) { stats.snapshot().committedTicks >= trades.count }
            }
            #expect(server.connectionCount == 2)
        }
        #expect(try harness.storedTicks() == trades)
        #expect(try harness.store.gaps(for: nil).isEmpty)
        let stats = harness.stats.snapshot()
        #expect(stats.stalls == 1 && stats.reconnects == 1)
        #expect(harness.logs.contains(level: .error, "WATCHDOG"))
    }

    @Test("one silent symbol on a busy connection trips the per-symbol watchdog")
    func silentSymbol() async throws {
        let harness = try LiveCollectorHarness()
        let btcOnly = Self.frames.filter { $0.contains(#""stream":"btcusdt@"#) }.prefix(2000)
        let btcTrades = LiveCollectorHarness.trades(in: Array(btcOnly)).count
        let clock = harness.clock
        // BTC frames start once the collector's clock has moved past the connection's opening
        let steps: [FakeBinanceServer.Step] = [.waitForClients(1), .waitUntil { clock.now.offset > .zero }] + btcOnly.map { .frame($0) }
        try await FakeBinanceServer.withServer(steps: steps) { server in
            try await harness.run(LiveCollectorHarness.configuration(endpoint: server.baseURL, watchdog: .seconds(1))) { stats in
                // Given a connection open at t = 0, then BTC trading at t = 0.6 s and ETH silent
                try await harness.waitForLog(.notice, "connected")
                try await harness.advance(by: .milliseconds(600))
                try await FakeBinanceServer.wait(timeout: LiveCollectorHarness.patience) { stats.snapshot().committedTicks >= btcTrades }
                // When the watchdog checks at t = 1.2 s
                try await harness.advance(by: .milliseconds(600))
            }
        }
        // Then only ETH is named
        #expect(harness.stats.snapshot().stalls == 1)
        #expect(harness.logs.all.contains { $0.level == .error && $0.metadata.contains("symbols=ETHUSDT") })
    }

    @Test("rotation: overlapping replacement connections lose and duplicate nothing")
    func rotation() async throws {
        let harness = try LiveCollectorHarness()
        let tradeFrames = Self.frames.filter { $0.contains("@trade") }
        let trades = LiveCollectorHarness.trades(in: tradeFrames)
        let rotation = RotationPolicy(rotateAfter: .seconds(600), overlap: .seconds(5), replacementTimeout: .seconds(30), retryDelay: .seconds(60))
        // Frames 0..<1000 reach the old connection only, 1000..<1800 both, the rest the replacement after it took over
        let counters = harness.stats
        let steps: [FakeBinanceServer.Step] = [.waitForClients(1)] + tradeFrames[..<1000].map { .frame($0) } + [.waitForClients(2)]
            + tradeFrames[1000..<1800].map { .frame($0) } + [.waitUntil { counters.snapshot().rotations >= 1 }]
            + tradeFrames[1800...].map { .frame($0) }
        let first = LiveCollectorHarness.trades(in: Array(tradeFrames[..<1000])).count
        let overlapping = LiveCollectorHarness.trades(in: Array(tradeFrames[..<1800])).count
        try await FakeBinanceServer.withServer(steps: steps) { server in
            let configuration = LiveCollectorHarness.configuration(endpoint: server.baseURL, watchdog: .seconds(3600), rotation: rotation)
            try await harness.run(configuration) { stats in
                // When the primary reaches the age limit, then a replacement opens and overlaps once it receives
                try await FakeBinanceServer.wait(timeout: LiveCollectorHarness.patience) { stats.snapshot().committedTicks >= first }
                try await harness.advance(by: .seconds(600))
                try await harness.waitForLog(.info, "replacement connection receiving")
                // And once the overlap has passed (the old connection has everything both received), it takes over
                try await FakeBinanceServer.wait(timeout: LiveCollectorHarness.patience) { stats.snapshot().committedTicks >= overlapping }
                try await harness.advance(by: .seconds(5))
                try await LiveCollectorHarness.untilDelivered(server)(stats)
            }
            #expect(server.deliveredFrameIndices.count == tradeFrames.count)
            #expect(server.connectionCount == 2)
        }
        let stats = harness.stats.snapshot()
        #expect(stats.rotations == 1)
        #expect(stats.duplicates > 0, "the connections really overlapped")
        #expect(stats.reconnects == 0 && stats.gaps == 0)
        #expect(stats.committedTicks == trades.count, "no duplicate reached the recorder")
        #expect(try harness.storedTicks() == trades)
        #expect(try harness.store.gaps(for: nil).isEmpty)
    }

    @Test("graceful shutdown mid-stream commits every received trade and waits for no timeout", .timeLimit(.minutes(5)))
    func gracefulShutdown() async throws {
        let harness = try LiveCollectorHarness()
        let tradeFrames = Self.frames.filter { $0.contains("@trade") }
        try await FakeBinanceServer.withServer(steps: [.waitForClients(1)] + tradeFrames.map { .frame($0) }, framesPerSecond: 3000) { server in
            // Given close and connect timeouts of 10 minutes: a shutdown waiting on either would run into the time limit
            var configuration = LiveCollectorHarness.configuration(endpoint: server.baseURL)
            configuration.closeTimeout = .seconds(600)
            configuration.connectTimeout = .seconds(600)
            let took = try await harness.run(configuration) { $0.totalTicks >= 500 }
            // (milliseconds on an idle machine; the bound only absorbs threads held by CPU-heavy tests running in parallel)
            #expect(took < .seconds(60))
        }
        let stats = harness.stats.snapshot()
        let stored = try harness.storedTicks()
        #expect(stats.totalTicks >= 500 && stats.totalTicks < 2614)
        #expect(stored.count == stats.totalTicks)
        #expect(stats.committedTicks == stats.totalTicks)
    }
}

@Suite("BinanceStreamConfiguration")
struct BinanceStreamConfigurationTests {
    @Test("default endpoints: trade under /public, aggTrade under /market; explicit paths are kept")
    func urls() {
        let trade = BinanceStreamConfiguration(symbols: ["BTCUSDT", "ETHUSDT"])
        #expect(trade.url(for: trade.symbols) == "wss://fstream.binance.com/public/stream?streams=btcusdt@trade/ethusdt@trade")
        let agg = BinanceStreamConfiguration(symbols: ["BTCUSDT"], kind: .aggTrade)
        #expect(agg.url(for: agg.symbols) == "wss://fstream.binance.com/market/stream?streams=btcusdt@aggTrade")
        let custom = BinanceStreamConfiguration(symbols: ["BTCUSDT"], endpoint: "ws://localhost:9000/custom/")
        #expect(custom.url(for: custom.symbols) == "ws://localhost:9000/custom/stream?streams=btcusdt@trade")
        let local = BinanceStreamConfiguration(symbols: ["BTCUSDT"], endpoint: "ws://127.0.0.1:9000")
        #expect(local.url(for: local.symbols) == "ws://127.0.0.1:9000/public/stream?streams=btcusdt@trade")
    }

    @Test("symbols are split over connections of at most N streams")
    func shards() throws {
        let symbols = try (0..<450).map { try Symbol(parsing: "S\($0)USDT") }
        let configuration = BinanceStreamConfiguration(symbols: symbols)
        #expect(configuration.shards.map(\.count) == [200, 200, 50])
        #expect(configuration.shards.flatMap { $0 } == symbols)
    }
}
