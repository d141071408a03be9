import Foundation
import Market
import Storage
import Testing

@testable import Dashboard

struct EventHubTests {
    @Test("subscribers get every event after they subscribed; a resuming page gets what it missed first")
    func resume() async throws {
        let hub = EventHub(history: 10)
        let first = hub.publish("bar", data: "1")
        hub.publish("bar", data: "2")
        var resumed = hub.subscribe(after: first).makeAsyncIterator()
        hub.publish("alert", data: "3")
        #expect(await resumed.next()?.data == "2")
        let third = await resumed.next()
        #expect(third?.data == "3")
        #expect(third?.framed == "id: 3\nevent: alert\ndata: 3\n\n")
    }

    @Test("a page that never reads loses its oldest events; publishing never waits")
    func slowSubscriber() async throws {
        let hub = EventHub(history: 10, subscriberBuffer: 4)
        let stream = hub.subscribe(after: nil)
        for i in 0..<1000 { hub.publish("bar", data: "\(i)") }
        hub.finishAll()
        var seen: [String] = []
        for await event in stream { seen.append(event.data) }
        #expect(seen == ["996", "997", "998", "999"])
        #expect(hub.subscriberCount == 0)
    }

    @Test("a subscriber with a filter is handed only the events it wants, live and on resume")
    func filteredSubscriber() async throws {
        let hub = EventHub(history: 10)
        let before = hub.publish("status", data: "0")
        hub.publish("bar", data: "eth", subject: "ETHUSDT", timeframe: "1s")
        hub.publish("bar", data: "btc 1m", subject: "BTCUSDT", timeframe: "1m")
        let stream = hub.subscribe(after: before) { Dashboard.wants($0, symbols: ["BTCUSDT"], timeframe: "1s") }
        hub.publish("bar", data: "btc 1s", subject: "BTCUSDT", timeframe: "1s")
        hub.publish("bar", data: "eth again", subject: "ETHUSDT", timeframe: "1s")
        hub.publish("alert", data: "alert")
        hub.finishAll()
        var seen: [String] = []
        for await event in stream { seen.append(event.data) }
        #expect(seen == ["btc 1s", "alert"])
    }

    @Test("bar events are sent only for the page's symbols and timeframe")
    func filtering() {
        let bar = ServerEvent(id: 1, name: "bar", data: "{}", subject: "BTCUSDT", timeframe: "1m")
        #expect(Dashboard.wants(bar, symbols: ["BTCUSDT"], timeframe: "1m"))
        #expect(!Dashboard.wants(bar, symbols: ["ETHUSDT"], timeframe: "1m"))
        #expect(!Dashboard.wants(bar, symbols: ["BTCUSDT"], timeframe: "1s"))
        #expect(Dashboard.wants(ServerEvent(id: 2, name: "alert", data: "{}"), symbols: ["ETHUSDT"], timeframe: "1s"))
    }
}

struct LiveFeedTests {
    @Test("the feed publishes a changed forming bar, then the closed bar once a newer one opens")
    func barsAndCloses() async throws {
        let store = try storeWithBars()
        let hub = EventHub()
        let events = hub.subscribe(after: nil)
        let (base, _) = syntheticBars()
        let closed = ClosedBars()
        let feed = LiveFeed(store: store, hub: hub, timeframes: [.oneMinute], interval: .milliseconds(5), statusInterval: .zero,
                            onBarsClosed: { await closed.add($0) }, logger: quietLogger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await feed.run() }
            var iterator = events.makeAsyncIterator()
            // Given the feed has read the newest bar (its first status event follows that read),
            #expect(await iterator.next()?.name == "status")
            func nextBar() async -> ServerEvent? {
                while let event = await iterator.next() { if event.name == "bar" { return event } }
                return nil
            }
            // when it changes, then a forming bar event follows.
            var last = try #require(base.last)
            last.close += 1
            last.high = max(last.high, last.close)
            let changed = last
            try await store.write { tx in try tx.upsert(contentsOf: [changed], of: "BTCUSDT", timeframe: .oneMinute) }
            let forming = try #require(await nextBar())
            #expect(forming.name == "bar")
            #expect(forming.data.contains("\"closed\":false") && forming.data.contains("\"c\":\(last.close)"))
            // When a newer bar opens, then the old one is published closed, then the new one forming.
            var next = last
            next.openTime = last.openTime + TimeSpan(milliseconds: 60_000)
            let newer = next
            try await store.write { tx in try tx.upsert(contentsOf: [newer], of: "BTCUSDT", timeframe: .oneMinute) }
            let close = try #require(await nextBar())
            #expect(close.data.contains("\"closed\":true") && close.data.contains("\"t\":\(last.openTime.milliseconds)"))
            let opened = try #require(await nextBar())
            #expect(opened.data.contains("\"closed\":false") && opened.data.contains("\"t\":\(next.openTime.milliseconds)"))
            group.cancelAll()
        }
        #expect(await closed.bars.map(\.bar.openTime) == [base.last?.openTime])
    }
}

actor ClosedBars {
    var bars: [LiveFeed.ClosedBar] = []
    func add(_ more: [LiveFeed.ClosedBar]) { bars += more }
}
