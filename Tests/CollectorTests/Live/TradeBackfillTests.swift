import Collector
import Foundation
import Logging
import Market
import PairbookTestSupport
import ServiceLifecycle
import Storage
import Testing

@Suite("Trade-stream gaps backfilled from /fapi/v1/historicalTrades (local REST server)", .serialized)
struct TradeBackfillTests {
    static let t0 = Timestamp(milliseconds: 1_721_347_200_000)
    static let key = "test-key-5up3r-53cr3t"

    /// Whether trade `id` is a market trade (every 250th is an insurance-fund trade, absent from the endpoint).
    static func isMarket(_ id: Int64) -> Bool { id % 250 != 0 }

    /// Trades 100…3000 of BTCUSDT, one per 50 ms.
    static func trade(_ id: Int64) -> Tick {
        .sample(id: id, at: t0 + TimeSpan(milliseconds: (id - 100) * 50), price: 64_000 + Double(id % 40) / 10,
                quantity: Double(id % 5 + 1) / 1000, buyerMaker: id % 3 == 0)
    }

    /// Answers `/fapi/v1/historicalTrades` like Binance for trades 100…3000: market trades only, key required.
    static let handler: FakeHTTPServer.Handler = { request in
        guard request.headers["x-mbx-apikey"] == key else {
            return .init(status: 401, body: Data(#"{"code":-2015,"msg":"Invalid API-key, IP, or permissions for action."}"#.utf8))
        }
        guard request.path == "/fapi/v1/historicalTrades", request.query["symbol"] == "BTCUSDT",
              let from = request.query["fromId"].flatMap({ Int64($0) }), let limit = request.query["limit"].flatMap({ Int($0) })
        else { return .notFound }
        let ids = from > 3000 ? [] : Array((max(from, 100)...3000).lazy.filter(isMarket).prefix(limit))
        let rows = ids.map { id -> String in
            let tick = trade(id)
            return #"{"id":\#(id),"price":"\#(tick.price)","qty":"\#(tick.quantity)","quoteQty":"\#(tick.price * tick.quantity)","time":\#(tick.timestamp.milliseconds),"isBuyerMaker":\#(tick.isBuyerMaker)}"#
        }
        return .init(body: Data("[\(rows.joined(separator: ","))]".utf8))
    }

    static func gap(from: Int64, to: Int64) -> StreamGap {
        StreamGap(symbol: "BTCUSDT", fromTradeID: from, toTradeID: to, fromTime: trade(from).timestamp,
                  toTime: trade(to).timestamp, detectedAt: t0 + .hours(1))
    }

    /// A backfill of BTCUSDT against `server` on a fresh in-memory store, not rate-limited.
    static func backfill(from server: FakeHTTPServer) throws -> GapBackfill {
        GapBackfill(store: try Store.inMemory(), symbols: ["BTCUSDT"],
                    client: HistoricalTradesClient(baseURL: server.baseURL, apiKey: key, minimumInterval: .zero),
                    queue: LiveEventQueue(), logger: Logger(label: "test"))
    }

    @Test("the exact market trades between the gap's ends, page by page, with the API key header")
    func pages() async throws {
        try await FakeHTTPServer.withServer(Self.handler) { server in
            let backfill = try Self.backfill(from: server)
            let ticks = try await backfill.missingTicks(for: Self.gap(from: 120, to: 2600))
            let expected = (121...2599).filter(Self.isMarket)
            #expect(ticks.map(\.tradeID) == expected)
            #expect(ticks == expected.map(Self.trade))
            // 2,479 ids, 10 of them not market trades: pages of 1000, 1000 and the rest
            #expect(server.requests == [
                "/fapi/v1/historicalTrades?symbol=BTCUSDT&fromId=121&limit=1000",
                "/fapi/v1/historicalTrades?symbol=BTCUSDT&fromId=1125&limit=1000",
                "/fapi/v1/historicalTrades?symbol=BTCUSDT&fromId=2129&limit=471",
            ])
        }
    }

    @Test("a gap holding only non-market trade ids is complete after one request")
    func onlyNonMarketMissing() async throws {
        try await FakeHTTPServer.withServer(Self.handler) { server in
            let backfill = try Self.backfill(from: server)
            #expect(try await backfill.missingTicks(for: Self.gap(from: 499, to: 501)).isEmpty)
            #expect(server.requests.count == 1)
        }
    }

    @Test("a wrong key is an HTTP error that names the URL but never the key")
    func wrongKey() async throws {
        try await FakeHTTPServer.withServer(Self.handler) { server in
            let client = HistoricalTradesClient(baseURL: server.baseURL, apiKey: "wrong-key", minimumInterval: .zero)
            let error = await #expect(throws: BackfillError.self) { try await client.page(symbol: "BTCUSDT", fromID: 100, limit: 10) }
            #expect(error == .httpStatus(401, url: server.baseURL + "/fapi/v1/historicalTrades?symbol=BTCUSDT&fromId=100&limit=10"))
            #expect(!"\(client)".contains("wrong-key"))
        }
    }

    @Test("ids older than the endpoint keeps make the backfill fail, not half-fill")
    func incomplete() async throws {
        try await FakeHTTPServer.withServer(Self.handler) { server in
            let backfill = try Self.backfill(from: server)
            await #expect(throws: BackfillError.self) { try await backfill.missingTicks(for: Self.gap(from: 2990, to: 3500)) }
        }
    }

    @Test("without a key trade gaps are only recorded, said once in the log; with one a backfill service exists")
    func choice() throws {
        let logs = CapturedLogs()
        var logger = Logger(label: "test") { _ in CapturingLogHandler(logs: logs) }
        logger.logLevel = .info
        let store = try Store.inMemory()
        let none = GapBackfill.forStream(kind: .trade, restEndpoint: nil, apiKey: nil, store: store, symbols: ["BTCUSDT"],
                                         queue: LiveEventQueue(), logger: logger)
        #expect(none == nil)
        #expect(logs.all.count == 1)
        #expect(logs.contains(level: .notice, "NOT backfilled"))
        #expect(logs.contains(level: .notice, "BINANCE_API_KEY"))
        let some = GapBackfill.forStream(kind: .trade, restEndpoint: "http://127.0.0.1:1", apiKey: Self.key, store: store,
                                         symbols: ["BTCUSDT"], queue: LiveEventQueue(), logger: logger)
        #expect(some != nil)
        #expect(!logs.all.contains { $0.message.contains(Self.key) || $0.metadata.contains(Self.key) })
        #expect(GapBackfill.forStream(kind: .aggTrade, restEndpoint: nil, apiKey: Self.key, store: store, symbols: ["BTCUSDT"],
                                      queue: LiveEventQueue(), logger: logger) == nil)
    }

    @Test("end to end: a recorded trade gap is filled through the live recorder and marked filled")
    func endToEnd() async throws {
        // Given a store holding trades 100…199 and 400…500 and the gap between them
        let store = try Store.inMemory()
        let stored = (Int64(100)...199).map(Self.trade) + (Int64(400)...500).map(Self.trade)
        _ = try Recorder(store: store, logger: .quiet).record(stored)
        try await store.write { tx in try tx.insert(Self.gap(from: 199, to: 400)) }
        let key = Self.key
        try await FakeHTTPServer.withServer(Self.handler) { server in
            // When the backfill service runs next to the live recorder
            let queue = LiveEventQueue()
            let logger = Logger(label: "test")
            let live = LiveRecorder(queue: queue, stats: CollectorStats(), logger: logger,
                                    commit: LiveRecorder.commit(through: Recorder(store: store, logger: .quiet)))
            let backfill = try #require(GapBackfill.forStream(
                kind: .trade, restEndpoint: server.baseURL, apiKey: key, store: store, symbols: ["BTCUSDT"], queue: queue,
                interval: .milliseconds(50), logger: logger))
            try await LiveCollectorHarness.run([live, backfill], logger: logger) { (try? store.gaps(for: nil).first?.filledAt) != nil }
        }
        // Then the market trades 200…399 are stored too and the 1m bars count every stored trade
        var ids: [Int64] = []
        try store.forEachTick(of: "BTCUSDT", in: TimeRange(start: Self.t0, end: Self.t0 + .hours(1))) { ids.append($0.tradeID) }
        let expected = (Int64(100)...500).filter { !(200...399).contains($0) || Self.isMarket($0) }
        #expect(ids.sorted() == expected)
        let bars = try await store.bars(for: "BTCUSDT", timeframe: .oneMinute, in: TimeRange(start: Self.t0, end: Self.t0 + .hours(1)))
        #expect(bars.bars.map(\.trades).reduce(0, +) == expected.count)
        let gaps = try store.gaps(for: nil)
        #expect(gaps.count == 1 && gaps.first?.filledAt != nil)
    }
}

@Suite("GapBackfill gives up on gaps the endpoint cannot serve", .serialized)
struct GapBackfillGiveUpTests {
    @Test("an incomplete gap is tried once, logged, and left open — not re-requested every pass")
    func incompleteGapTriedOnce() async throws {
        let store = try Store.inMemory()
        try await store.write { tx in try tx.insert(TradeBackfillTests.gap(from: 2990, to: 3500)) }
        let logs = CapturedLogs()
        let logger = {
            var logger = Logger(label: "test") { _ in CapturingLogHandler(logs: logs) }
            logger.logLevel = .info
            return logger
        }()
        let key = TradeBackfillTests.key
        try await FakeHTTPServer.withServer(TradeBackfillTests.handler) { server in
            let queue = LiveEventQueue()
            let live = LiveRecorder(queue: queue, stats: CollectorStats(), logger: logger,
                                    commit: LiveRecorder.commit(through: Recorder(store: store, logger: .quiet)))
            let backfill = GapBackfill(
                store: store, symbols: ["BTCUSDT"],
                client: HistoricalTradesClient(baseURL: server.baseURL, apiKey: key, minimumInterval: .zero),
                queue: queue, interval: .milliseconds(30), logger: logger)
            // Until the one attempt has ended (however loaded the machine), then ten passes' worth of time
            try await LiveCollectorHarness.run([live, backfill], logger: logger, until: {
                logs.all.contains { $0.message.contains("cannot be backfilled completely") }
            }, timeout: .seconds(30), linger: .milliseconds(300))
            // One attempt: the page with 2991…2999, then the empty page from 3000
            #expect(server.requests.count == 2)
        }
        #expect(logs.all.filter { $0.message.contains("cannot be backfilled completely") }.count == 1)
        let gaps = try store.gaps(for: nil)
        #expect(gaps.count == 1 && gaps.first?.filledAt == nil)
        // The trades it did get are stored
        var ids: [Int64] = []
        let t0 = TradeBackfillTests.t0
        try store.forEachTick(of: "BTCUSDT", in: TimeRange(start: t0, end: t0 + .hours(1))) { ids.append($0.tradeID) }
        #expect(ids == Array(2991...2999))
    }
}
