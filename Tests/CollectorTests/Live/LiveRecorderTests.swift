import Collector
import Foundation
import Logging
import Market
import PairbookTestSupport
import MetricsTestKit
import Storage
import Synchronization
import Testing

@Suite("LiveRecorder: batches, retries, receive-to-commit metric")
struct LiveRecorderTests {
    static func tick(_ id: Int64) -> Tick {
        .sample("ETHUSDT", id: id, at: Timestamp(milliseconds: 1_721_347_200_000 + id * 7), price: 3_400 + Double(id % 11),
                quantity: 0.01, buyerMaker: id % 2 == 1)
    }

    struct Failure: Error {}

    /// Runs a recorder until its queue is finished and drained (it returns by itself then).
    static func drain(_ recorder: LiveRecorder) async throws { try await recorder.run() }

    @Test("every committed tick's receive-to-commit time goes to pairbook_receive_to_commit_seconds")
    func receiveToCommitTimer() async throws {
        let metrics = TestMetrics()
        let queue = LiveEventQueue()
        let stats = CollectorStats()
        let committed = Mutex<[Int64]>([])
        let recorder = LiveRecorder(queue: queue, stats: stats, logger: Logger(label: "test"), metricsFactory: metrics) { batch in
            committed.withLock { $0 += batch.ticks.map(\.tradeID) }
        }
        let received = ContinuousClock.now - .milliseconds(30)
        for id in Int64(1)...500 { await queue.send(.tick(Self.tick(id), receivedAt: received)) }
        queue.finish()
        try await Self.drain(recorder)

        #expect(committed.withLock { $0 } == Array(1...500))
        let timer = try metrics.expectTimer(CollectorMetricNames.receiveToCommit)
        #expect(timer.values.count == 500)
        // Nanoseconds: at least the 30 ms waited, and less than ten minutes (however long parallel tests held the threads)
        #expect(timer.values.allSatisfy { $0 >= 30_000_000 && $0 < 600_000_000_000 }, "nanoseconds, at least the 30 ms waited")
        #expect(stats.snapshot().lag.count == 500)
    }

    @Test("a failing commit is retried with the same batch before more is taken; nothing is lost or doubled")
    func retriesFailedCommit() async throws {
        let queue = LiveEventQueue(capacity: 50)
        let stats = CollectorStats()
        let attempts = Mutex(0)
        let committed = Mutex<[Int64]>([])
        let recorder = LiveRecorder(queue: queue, stats: stats, logger: Logger(label: "test"), flushInterval: .milliseconds(5),
                                    maximumBatch: 20, retryDelay: .milliseconds(5)) { batch in
            let attempt = attempts.withLock { a -> Int in
                a += 1
                return a
            }
            if attempt == 2 || attempt == 3 { throw Failure() }
            committed.withLock { $0 += batch.ticks.map(\.tradeID) }
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await Self.drain(recorder) }
            for id in Int64(1)...300 { await queue.send(.tick(Self.tick(id), receivedAt: .now)) }
            queue.finish()
            try await group.waitForAll()
        }
        #expect(committed.withLock { $0 } == Array(1...300))
        #expect(stats.snapshot().commitFailures == 2)
        #expect(stats.snapshot().committedTicks == 300)
    }
}

@Suite("LiveRecorder on a WAL file")
struct LiveRecorderCheckpointTests {
    @Test("the live commit makes the writer checkpoint every 1,000 WAL pages (short checkpoints, low latency)")
    func shortCheckpoints() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pairbook-live-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        // Given a file store with its bulk-import setting
        let store = try Store(path: directory.appendingPathComponent("live.sqlite").path, logger: .quiet)
        #expect(try store.walAutoCheckpointPages() != LiveRecorder.liveAutoCheckpointPages)
        // When the live commit is made over it
        let commit = LiveRecorder.commit(through: Recorder(store: store, logger: .quiet))
        try await commit(LiveRecorder.CommitBatch(ticks: [LiveRecorderTests.tick(1)]))
        // Then the writer checkpoints every 1,000 pages, and the trade is stored
        #expect(try store.walAutoCheckpointPages() == 1_000)
        #expect(try store.tickCount(of: "ETHUSDT") == 1)
    }
}
