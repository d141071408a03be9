import Collector
import Market
import PairbookTestSupport
import Storage
import Testing

@Suite("Restart: the gap detector resumes where the store ends")
struct LiveStateTests {
    static let t0 = Timestamp(milliseconds: 1_721_347_200_000)

    static func tick(_ symbol: Symbol, _ id: Int64) -> Tick {
        .sample(symbol, id: id, at: t0 + TimeSpan(milliseconds: id * 10), price: 100 + Double(id % 9), quantity: 0.5,
                buyerMaker: id % 2 == 0)
    }

    @Test("Store.lastTicks: the stored trade with the highest id per symbol; symbols without trades are absent")
    func lastTicks() throws {
        // Given trades recorded out of order
        let store = try Store.inMemory()
        let recorder = Recorder(store: store, logger: .quiet)
        _ = try recorder.record([Self.tick("BTCUSDT", 105), Self.tick("ETHUSDT", 9), Self.tick("BTCUSDT", 100)]
            + (101...104).map { Self.tick("BTCUSDT", $0) } + [Self.tick("ETHUSDT", 7)])
        // When the collector asks where each symbol ends
        let last = try store.lastTicks(of: ["BTCUSDT", "ETHUSDT", "SOLUSDT"])
        // Then
        #expect(last == ["BTCUSDT": Self.tick("BTCUSDT", 105), "ETHUSDT": Self.tick("ETHUSDT", 9)])
        #expect(try Store.inMemory().lastTicks(of: ["BTCUSDT"]).isEmpty)
    }

    @Test("a seeded GapDetector reports the hole between the last stored id and the first one received")
    func seededDetector() {
        var detector = GapDetector()
        let last = Self.tick("BTCUSDT", 150)
        detector.seed("BTCUSDT", lastTradeID: last.tradeID, at: last.timestamp)
        let first = Self.tick("BTCUSDT", 200)
        let observation = detector.observe("BTCUSDT", tradeID: first.tradeID, time: first.timestamp, detectedAt: Self.t0 + .hours(1))
        #expect(observation == .afterGap(StreamGap(symbol: "BTCUSDT", fromTradeID: 150, toTradeID: 200, fromTime: last.timestamp,
                                                   toTime: first.timestamp, detectedAt: Self.t0 + .hours(1))))
        #expect(detector.observe("BTCUSDT", tradeID: 150, time: last.timestamp, detectedAt: Self.t0) == .duplicate)
    }

    @Test("a seed from another id sequence (lower id, later time) restarts the sequence instead of dropping trades")
    func seedFromAnotherSequence() {
        // Given a store whose last BTCUSDT trade has trade id 5,100,000,000 (trade stream)
        var detector = GapDetector()
        detector.seed("BTCUSDT", lastTradeID: 5_100_000_000, at: Self.t0)
        // When aggregate trades (ids near 2.2e9) arrive later
        let later = Self.t0 + .minutes(5)
        #expect(detector.observe("BTCUSDT", tradeID: 2_200_000_000, time: later, detectedAt: later) == .sequenceRestarted)
        // Then they are new trades, and the sequence continues from there
        #expect(detector.observe("BTCUSDT", tradeID: 2_200_000_001, time: later, detectedAt: later) == .inSequence)
        #expect(detector.observe("BTCUSDT", tradeID: 2_200_000_000, time: later, detectedAt: later) == .duplicate)
        // And a repeat of the stored trade itself (same or earlier time) is still a duplicate
        var repeated = GapDetector()
        repeated.seed("BTCUSDT", lastTradeID: 500, at: Self.t0)
        #expect(repeated.observe("BTCUSDT", tradeID: 499, time: Self.t0, detectedAt: later) == .duplicate)
    }
}

@Suite("Restart against a local replay server", .enabled(if: SharedData.isAvailable, Comment(rawValue: SharedData.skipReason)), .serialized)
struct RestartTests {
    @Test("collector stopped and restarted: the downtime's hole is recorded in stream_gaps, replayed trades are not doubled")
    func gapAcrossRestart() async throws {
        let frames = BinanceStreamTests.frames
        let store = try Store.inMemory()
        // Given a first run that recorded frames 0..<8000 and stopped
        let first = try LiveCollectorHarness(store: store)
        let firstTrades = LiveCollectorHarness.trades(in: Array(frames[..<8000]))
        try await FakeBinanceServer.withServer(steps: [.waitForClients(1)] + frames[..<8000].map { .frame($0) }) { server in
            try await first.run(LiveCollectorHarness.configuration(endpoint: server.baseURL)) { $0.committedTicks >= firstTrades.count }
        }
        #expect(try store.gaps(for: nil).isEmpty)
        // When the collector restarts from the store while frames 7900..<8000 are replayed (overlap) and 9500... follow
        let second = try LiveCollectorHarness(store: store)
        let lastStored = try store.lastTicks(of: LiveCollectorHarness.symbols)
        #expect(lastStored.count == 2)
        let secondFrames = Array(frames[7900..<8000]) + Array(frames[9500...])
        let overlap = LiveCollectorHarness.trades(in: Array(frames[7900..<8000])).count
        let secondTrades = LiveCollectorHarness.trades(in: Array(frames[9500...]))
        try await FakeBinanceServer.withServer(steps: [.waitForClients(1)] + secondFrames.map { .frame($0) }) { server in
            try await second.run(LiveCollectorHarness.configuration(endpoint: server.baseURL), lastStoredTrades: lastStored) {
                $0.committedTicks >= secondTrades.count && $0.duplicates >= overlap
            }
        }
        // Then every trade of both runs is stored once, and each symbol's hole across the downtime is a gap
        let stored = try second.storedTicks()
        #expect(stored == (firstTrades + secondTrades).sorted { ($0.symbol, $0.tradeID) < ($1.symbol, $1.tradeID) })
        #expect(second.stats.snapshot().duplicates == overlap)
        let gaps = try store.gaps(for: nil).sorted { $0.symbol < $1.symbol }
        #expect(gaps.count == 2)
        for gap in gaps {
            let before = try #require(lastStored[gap.symbol])
            let after = try #require(secondTrades.first { $0.symbol == gap.symbol })
            #expect(gap.fromTradeID == before.tradeID && gap.fromTime == before.timestamp)
            #expect(gap.toTradeID == after.tradeID && gap.toTime == after.timestamp)
        }
        #expect(LiveCollectorHarness.holes(in: stored).count == 2)
    }
}
