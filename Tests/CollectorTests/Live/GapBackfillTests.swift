import Collector
import Foundation
import Logging
import Market
import PairbookTestSupport
import ServiceLifecycle
import Storage
import Testing

@Suite("GapBackfill against a local REST server", .serialized)
struct GapBackfillTests {
    static let t0 = Timestamp(milliseconds: 1_721_347_200_000)

    /// Aggregate trades 100…3000 of BTCUSDT, one per 100 ms.
    static func aggTrade(_ id: Int64) -> Tick {
        .sample(id: id, at: t0 + TimeSpan(milliseconds: (id - 100) * 100), price: 63_900 + Double(id % 50) / 10,
                quantity: Double(id % 7 + 1) / 1000, buyerMaker: id % 2 == 0)
    }

    /// Answers `/fapi/v1/aggTrades` like Binance for ids 100…3000.
    static let handler: FakeHTTPServer.Handler = { request in
        guard request.path == "/fapi/v1/aggTrades", request.query["symbol"] == "BTCUSDT",
              let from = request.query["fromId"].flatMap({ Int64($0) }), let limit = request.query["limit"].flatMap({ Int64($0) })
        else { return .notFound }
        let (low, high) = (max(from, 100), min(from + limit - 1, 3000))
        let rows = low > high ? [] : (low...high).map { id -> String in
            let tick = aggTrade(id)
            return #"{"a":\#(id),"p":"\#(tick.price)","q":"\#(tick.quantity)","f":\#(id * 3),"l":\#(id * 3 + 2),"T":\#(tick.timestamp.milliseconds),"m":\#(tick.isBuyerMaker)}"#
        }
        return .init(body: Data("[\(rows.joined(separator: ","))]".utf8))
    }

    static func gap(from: Int64, to: Int64) -> StreamGap {
        StreamGap(symbol: "BTCUSDT", fromTradeID: from, toTradeID: to, fromTime: aggTrade(from).timestamp,
                  toTime: aggTrade(to).timestamp, detectedAt: t0 + .hours(1))
    }

    @Test("the missing aggregate ids are fetched page by page (≤ 1000 per request), exactly")
    func pages() async throws {
        try await FakeHTTPServer.withServer(Self.handler) { server in
            let backfill = GapBackfill(store: try Store.inMemory(), symbols: ["BTCUSDT"],
                                       client: AggTradesClient(baseURL: server.baseURL, minimumInterval: .zero),
                                       queue: LiveEventQueue(), logger: Logger(label: "test"))
            let ticks = try await backfill.missingTicks(for: Self.gap(from: 120, to: 2600))
            #expect(ticks.map(\.tradeID) == Array(121...2599))
            #expect(ticks == (121...2599).map(Self.aggTrade))
            #expect(server.requests == [
                "/fapi/v1/aggTrades?symbol=BTCUSDT&fromId=121&limit=1000",
                "/fapi/v1/aggTrades?symbol=BTCUSDT&fromId=1121&limit=1000",
                "/fapi/v1/aggTrades?symbol=BTCUSDT&fromId=2121&limit=479",
            ])
        }
    }

    @Test("requests are spaced by the minimum interval (rate limit)")
    func rateLimited() async throws {
        try await FakeHTTPServer.withServer(Self.handler) { server in
            let backfill = GapBackfill(store: try Store.inMemory(), symbols: ["BTCUSDT"],
                                       client: AggTradesClient(baseURL: server.baseURL, minimumInterval: .milliseconds(200)),
                                       queue: LiveEventQueue(), logger: Logger(label: "test"))
            let start = ContinuousClock.now
            _ = try await backfill.missingTicks(for: Self.gap(from: 100, to: 2200))
            #expect(start.duration(to: .now) >= .milliseconds(400), "3 requests, 2 waits")
        }
    }

    @Test("ids the endpoint no longer has make the backfill fail, not half-fill")
    func incomplete() async throws {
        try await FakeHTTPServer.withServer(Self.handler) { server in
            let backfill = GapBackfill(store: try Store.inMemory(), symbols: ["BTCUSDT"],
                                       client: AggTradesClient(baseURL: server.baseURL, minimumInterval: .zero),
                                       queue: LiveEventQueue(), logger: Logger(label: "test"))
            await #expect(throws: BackfillError.self) { try await backfill.missingTicks(for: Self.gap(from: 2990, to: 3500)) }
        }
    }

    @Test("a REST trade with an absurd time fails the backfill with a named error instead of reaching the recorder", arguments: [
        Int64(-9_223_372_036_854_775_807), 99_999_999_999_999,
    ])
    func implausibleTime(time: Int64) async throws {
        // Given an endpoint whose trade 150 carries an absurd time
        let handler: FakeHTTPServer.Handler = { request in
            var response = Self.handler(request)
            let text = String(decoding: response.body, as: UTF8.self)
            response.body = Data(text.replacingOccurrences(of: #""T":\#(Self.aggTrade(150).timestamp.milliseconds)"#, with: #""T":\#(time)"#).utf8)
            return response
        }
        try await FakeHTTPServer.withServer(handler) { server in
            let backfill = GapBackfill(store: try Store.inMemory(), symbols: ["BTCUSDT"],
                                       client: AggTradesClient(baseURL: server.baseURL, minimumInterval: .zero),
                                       queue: LiveEventQueue(), logger: Logger(label: "test"))
            // When the gap around it is backfilled, then the page is refused, naming the trade
            await #expect(throws: BackfillError.implausibleTrade(symbol: "BTCUSDT", tradeID: 150, time: time)) {
                try await backfill.missingTicks(for: Self.gap(from: 120, to: 200))
            }
        }
    }

    @Test("end to end: a recorded gap is filled through the live recorder and marked filled")
    func endToEnd() async throws {
        // Given a store holding trades 100…199 and 400…500 and the gap between them
        let store = try Store.inMemory()
        let recorder = Recorder(store: store, logger: .quiet)
        _ = try recorder.record((100...199).map(Self.aggTrade) + (400...500).map(Self.aggTrade))
        try await store.write { tx in try tx.insert(Self.gap(from: 199, to: 400)) }
        try await FakeHTTPServer.withServer(Self.handler) { server in
            // When the backfill service runs next to the live recorder
            let queue = LiveEventQueue()
            let stats = CollectorStats()
            let logger = Logger(label: "test")
            let live = LiveRecorder(queue: queue, stats: stats, logger: logger, commit: LiveRecorder.commit(through: Recorder(store: store, logger: .quiet)))
            let backfill = GapBackfill(store: store, symbols: ["BTCUSDT"],
                                       client: AggTradesClient(baseURL: server.baseURL, minimumInterval: .zero),
                                       queue: queue, interval: .milliseconds(50), logger: logger)
            try await LiveCollectorHarness.run([live, backfill], logger: logger) { (try? store.gaps(for: nil).first?.filledAt) != nil }
        }
        // Then every id 100…500 is stored and the 1m bars count all of them
        var ids: [Int64] = []
        try store.forEachTick(of: "BTCUSDT", in: TimeRange(start: Self.t0, end: Self.t0 + .hours(1))) { ids.append($0.tradeID) }
        #expect(ids.sorted() == Array(100...500))
        let bars = try await store.bars(for: "BTCUSDT", timeframe: .oneMinute, in: TimeRange(start: Self.t0, end: Self.t0 + .hours(1)))
        #expect(bars.bars.map(\.trades).reduce(0, +) == 401)
        #expect(try store.gaps(for: nil).count == 1)
    }
}
