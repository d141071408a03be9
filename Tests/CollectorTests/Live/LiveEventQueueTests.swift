import Collector
import Market
import PairbookTestSupport
import Storage
import Testing

@Suite("LiveEventQueue: bounded, back-pressure, no loss")
struct LiveEventQueueTests {
    static func tick(_ id: Int64) -> LiveEvent {
        .tick(.sample(id: id, price: 64_000, quantity: 0.001), receivedAt: .now)
    }

    static func ids(_ events: [LiveEvent]) -> [Int64] {
        events.compactMap { if case .tick(let tick, _) = $0 { tick.tradeID } else { nil } }
    }

    @Test("a producer faster than the consumer waits at capacity; every event arrives once, in order")
    func backPressure() async throws {
        // Given a queue of 100 and a producer of 10,000 events
        let queue = LiveEventQueue(capacity: 100)
        let received = try await withThrowingTaskGroup(of: [Int64].self) { group in
            group.addTask {
                for id in Int64(1)...10_000 { await queue.send(Self.tick(id)) }
                queue.finish()
                return []
            }
            // When a consumer takes small batches and pauses between them
            group.addTask {
                var ids: [Int64] = []
                while let batch = await queue.nextBatch(maximum: 37, delay: .zero) {
                    #expect(batch.count <= 37)
                    ids += Self.ids(batch)
                    if ids.count % 1_000 < 37 { try await Task.sleep(for: .milliseconds(2)) }
                }
                return ids
            }
            var all: [Int64] = []
            for try await ids in group { all += ids }
            return all
        }
        // Then nothing was lost or reordered, and the queue never held more than its capacity
        #expect(received == Array(1...10_000))
        let statistics = queue.statistics
        #expect(statistics.highWaterMark == 100)
        #expect(statistics.waitsForSpace > 0)
        #expect(statistics.depth == 0)
        #expect(statistics.overflows == 0 && statistics.refused == 0)
    }

    @Test("a full queue suspends send until the consumer takes a batch")
    func sendWaitsWhenFull() async throws {
        let queue = LiveEventQueue(capacity: 2)
        await queue.send(Self.tick(1))
        await queue.send(Self.tick(2))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await queue.send(Self.tick(3)) }
            try await FakeBinanceServer.wait(timeout: .seconds(120)) { queue.statistics.waitsForSpace > 0 }
            #expect(queue.statistics.waitsForSpace == 1, "the third event waits for room")
            #expect(queue.statistics.depth == 2)
            let first = await queue.nextBatch(maximum: 10, delay: .zero)
            #expect(first.map(Self.ids) == [1, 2])
            try await group.waitForAll()
        }
        #expect(await queue.nextBatch(maximum: 10, delay: .zero).map(Self.ids) == [3])
    }

    @Test("finish: what is queued is still taken, then nil; later sends are refused and counted")
    func finish() async {
        let queue = LiveEventQueue(capacity: 10)
        for id in Int64(1)...5 { await queue.send(Self.tick(id)) }
        queue.finish()
        #expect(await queue.send(Self.tick(6)) == false)
        #expect(await queue.nextBatch(maximum: 3, delay: .seconds(10)).map(Self.ids) == [1, 2, 3])
        #expect(await queue.nextBatch(maximum: 3, delay: .seconds(10)).map(Self.ids) == [4, 5])
        #expect(await queue.nextBatch(maximum: 3, delay: .seconds(10)) == nil)
        #expect(queue.statistics.refused == 1)
    }

    @Test("a batch waits for the oldest event to age by the delay, unless the maximum is reached")
    func batchingDelay() async {
        let queue = LiveEventQueue()
        await queue.send(Self.tick(1))
        let start = ContinuousClock.now
        let batch = await queue.nextBatch(maximum: 100, delay: .milliseconds(80))
        #expect(batch.map(Self.ids) == [1])
        #expect(start.duration(to: .now) >= .milliseconds(70))

        for id in Int64(2)...101 { await queue.send(Self.tick(id)) }
        let full = ContinuousClock.now
        let second = await queue.nextBatch(maximum: 100, delay: .seconds(600))
        #expect(second.map(Self.ids) == Array(2...101))
        #expect(full.duration(to: .now) < .seconds(300), "a full batch does not wait")
    }

    @Test("a producer cancelled while waiting (shutdown) keeps its event beyond capacity instead of losing it")
    func cancelledProducerOverflows() async throws {
        let queue = LiveEventQueue(capacity: 1)
        await queue.send(Self.tick(1))
        // An unstructured task: the test needs its handle to cancel exactly this producer.
        let producer = Task { await queue.send(Self.tick(2)) }
        try await FakeBinanceServer.wait(timeout: .seconds(120)) { queue.statistics.waitsForSpace > 0 }
        producer.cancel()
        #expect(await producer.value == true)
        #expect(queue.statistics.overflows == 1)
        queue.finish()
        #expect(await queue.nextBatch(maximum: 10, delay: .zero).map(Self.ids) == [1, 2])
    }
}
