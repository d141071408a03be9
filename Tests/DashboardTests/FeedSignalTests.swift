import Market
import Storage
import Testing

@testable import Dashboard

struct FeedSignalTests {
    /// The waits below time out after an hour: the test's time limit, not a measured duration, shows that a ring
    /// ended them (a measured duration is at the mercy of a loaded machine's scheduler).
    @Test("a ring before the wait, or during it, ends the wait; rings are not counted; an unrung wait times out",
          .timeLimit(.minutes(2)))
    func ringWakes() async {
        let signal = FeedSignal()
        // Given two rings before the wait, then the wait returns, and only once
        signal.ring()
        signal.ring()
        await signal.wait(timeout: .seconds(3600))
        let timedOut = await ContinuousClock().measure { await signal.wait(timeout: .milliseconds(30)) }
        #expect(timedOut >= .milliseconds(30))

        // A ring from another task ends a wait in progress (either order of ring and wait ends it)
        async let waited: Void = signal.wait(timeout: .seconds(3600))
        signal.ring()
        await waited
    }

    @Test("a rung feed publishes a changed bar without waiting for its poll", .timeLimit(.minutes(2)))
    func feedFollowsRings() async throws {
        let store = try storeWithBars()
        let hub = EventHub()
        let events = hub.subscribe(after: nil)
        let (base, _) = syntheticBars()
        let signal = FeedSignal()
        // A poll interval far longer than the test may take: only rings can make it read again.
        let feed = LiveFeed(store: store, hub: hub, timeframes: [.oneMinute], signal: signal, interval: .seconds(600),
                            statusInterval: .zero, logger: quietLogger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await feed.run() }
            var iterator = events.makeAsyncIterator()
            // Given the feed has read the newest bar (its first status event follows that read)
            #expect(await iterator.next()?.name == "status")
            // When a commit changes it and rings
            var last = try #require(base.last)
            last.close += 1
            last.high = max(last.high, last.close)
            let changed = last
            try await store.write { tx in try tx.upsert(contentsOf: [changed], of: "BTCUSDT", timeframe: .oneMinute) }
            signal.ring()
            // Then the forming bar is published
            var bar: ServerEvent?
            while let event = await iterator.next() {
                if event.name == "bar" {
                    bar = event
                    break
                }
            }
            #expect(bar?.data.contains("\"c\":\(last.close)") == true)
            group.cancelAll()
        }
    }
}
