import Foundation
import Hummingbird
import HummingbirdTesting
import Market
import Storage
import Testing

@testable import Dashboard

struct AnswerCacheTests {
    func key(_ n: Int, version: Int = 10) -> AnswerCache.Key {
        .init(route: "bars", query: ["points": "\(n)"], range: TimeRange(start: dayStart, end: dayStart + TimeSpan(milliseconds: 60_000)),
              version: Int64(version))
    }

    @Test("an answer is computed once per key; another version is another key; the oldest goes when full")
    func reuseAndEviction() {
        let cache = AnswerCache(capacity: 2)
        var computed = 0
        func answer(_ key: AnswerCache.Key) -> String {
            cache.text(for: key) {
                computed += 1
                return "answer \(computed)"
            }
        }
        #expect(answer(key(1)) == "answer 1")
        #expect(answer(key(1)) == "answer 1")
        #expect(answer(key(1, version: 11)) == "answer 2")
        #expect(answer(key(2)) == "answer 3")
        #expect(cache.count == 2)
        #expect(answer(key(1)) == "answer 4")  // evicted, computed again
        #expect(computed == 4)
        // A failed computation stores nothing.
        #expect(throws: APIError.self) { try cache.text(for: key(9)) { throw APIError.badRequest("no") } }
        #expect(cache.count == 2)
    }

    @Test("/api/bars and /api/pair answer again from the cache, and follow a new bar at once")
    func answersFollowNewBars() async throws {
        let store = try storeWithBars()
        let dashboard = try makeDashboard(store: store)
        let app = try makeApplication(dashboard)
        let (base, quote) = syntheticBars()
        try await app.test(.router) { client in
            let uris = ["/api/bars?symbol=BTCUSDT&points=100&from=2023-01-01T00:00:00Z&to=2023-01-03T00:00:00Z",
                        "/api/pair?pair=BTCUSDT/ETHUSDT&points=100&from=2023-01-01T00:00:00Z&to=2023-01-03T00:00:00Z"]
            var first: [String] = []
            for uri in uris {
                first.append(try await client.execute(uri: uri, method: .get) { text($0) })
                #expect(try await client.execute(uri: uri, method: .get) { text($0) } == first.last)
            }
            #expect(dashboard.answers.count == 2)

            // When a new bar is stored on both legs, then both answers include it
            func later(_ bar: Bar) -> Bar {
                var next = bar
                next.openTime = bar.openTime + TimeSpan(milliseconds: 60_000)
                next.close = bar.close * 1.01
                next.high = max(next.high, next.close)
                return next
            }
            func oneMinuteBars(of symbol: String) async throws -> Int? {
                let symbols = try await client.execute(uri: "/api/symbols", method: .get) { try json($0) }
                let item = (symbols["symbols"] as? [[String: Any]])?.first { $0["symbol"] as? String == symbol }
                return (item?["timeframes"] as? [[String: Any]])?.first { $0["timeframe"] as? String == "1m" }?["bars"] as? Int
            }
            #expect(try await oneMinuteBars(of: "BTCUSDT") == 1440)
            #expect(try await oneMinuteBars(of: "BTCUSDT") == 1440)
            let newBase = later(try #require(base.last)), newQuote = later(try #require(quote.last))
            try await store.write { tx in
                try tx.upsert(newBase, of: "BTCUSDT", timeframe: .oneMinute)
                try tx.upsert(newQuote, of: "ETHUSDT", timeframe: .oneMinute)
            }
            let bars = try await client.execute(uri: uris[0], method: .get) { try json($0) }
            #expect(bars["count"] as? Int == 1441)
            #expect((bars["c"] as? [Double])?.last == newBase.close)
            let pair = try await client.execute(uri: uris[1], method: .get) { text($0) }
            #expect(pair != first[1])
            #expect(dashboard.answers.count == 4)

            // And the symbol catalog, read before the write, counts the new bar (it is reused only while nothing is
            // written)
            #expect(try await oneMinuteBars(of: "BTCUSDT") == 1441)
        }
    }

    @Test("a versioned value is computed once per version; an error is not kept")
    func versionedValue() {
        let value = VersionedValue<Int>()
        var computed = 0
        func ask(_ version: Int64) -> Int { value.value(at: version) { computed += 1; return computed } }
        #expect(ask(1) == 1)
        #expect(ask(1) == 1)
        #expect(ask(2) == 2)
        struct Failure: Error {}
        #expect(throws: Failure.self) { try value.value(at: 3) { throw Failure() } }
        #expect(ask(2) == 2)
        #expect(ask(3) == 3)
    }
}
