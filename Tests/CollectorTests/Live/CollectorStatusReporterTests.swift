import Collector
import Market
import Testing

@Suite("CollectorStatusReporter: the status line")
struct CollectorStatusReporterTests {
    static func snapshots() -> (CollectorStats.Snapshot, CollectorStats.Snapshot) {
        var previous = CollectorStats.Snapshot()
        previous.ticks = ["BTCUSDT": 100]
        var current = CollectorStats.Snapshot()
        current.ticks = ["BTCUSDT": 600, "ETHUSDT": 250]
        current.committedTicks = 700
        current.openConnections = 1
        current.reconnects = 2
        current.gaps = 1
        return (previous, current)
    }

    @Test("rates per symbol over the interval, counters, and the queue's depth, high-water mark and reader waits")
    func lineWithQueue() {
        let (previous, current) = Self.snapshots()
        var queue = LiveEventQueue.Statistics()
        queue.depth = 12
        queue.highWaterMark = 4_000
        queue.waitsForSpace = 3
        var lag = LatencyHistogram()
        lag.record(.milliseconds(12), count: 99)
        lag.record(.milliseconds(40))
        let line = CollectorStatusReporter.line(previous: previous, current: current, lag: lag, elapsed: .seconds(10), queue: queue)
        #expect(line == "collect: BTCUSDT 50/s ETHUSDT 25/s | lag p50 12 ms p99 12 ms max 40 ms | committed 700 | queued 12 (max 4000) reader waits 3"
            + " | connections 1 | reconnects 2 | gaps 1 | stalls 0 | malformed 0")
    }

    @Test("without a queue (or without waits) the line says only what it knows")
    func lineWithoutQueue() {
        let (previous, current) = Self.snapshots()
        #expect(CollectorStatusReporter.line(previous: previous, current: current, lag: LatencyHistogram(), elapsed: .seconds(10))
            == "collect: BTCUSDT 50/s ETHUSDT 25/s | lag - | committed 700 | connections 1 | reconnects 2 | gaps 1 | stalls 0 | malformed 0")
        var queue = LiveEventQueue.Statistics()
        queue.highWaterMark = 9
        #expect(CollectorStatusReporter.line(previous: previous, current: current, lag: LatencyHistogram(), elapsed: .seconds(10), queue: queue)
            .contains("| queued 0 (max 9) |"))
    }
}
