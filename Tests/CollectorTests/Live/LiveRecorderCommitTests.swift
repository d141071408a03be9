import Collector
import GRDB
import InMemoryLogging
import Logging
import Market
import PairbookTestSupport
import Synchronization
import Testing

@testable import Storage

@Suite("LiveRecorder.commit: ticks, bars and gap rows in one transaction")
struct LiveRecorderCommitTests {
    static let t0 = Timestamp(milliseconds: 1_721_347_200_000)

    static func tick(_ id: Int64) -> Tick {
        .sample("ETHUSDT", id: id, at: t0 + TimeSpan(milliseconds: id * 7), price: 3_400 + Double(id % 11), quantity: 0.01,
                buyerMaker: id % 2 == 1)
    }

    @Test("when the gap row cannot be written, the ticks after the hole are not stored either; the retry stores both")
    func gapAndTicksTogether() async throws {
        // Given a store whose stream_gaps refuses inserts (as a full disk would, between two transactions)
        let store = try Store.inMemory()
        try await store.writer.write {
            try $0.execute(sql: "CREATE TRIGGER refuse_gaps BEFORE INSERT ON stream_gaps BEGIN SELECT RAISE(ABORT, 'disk full'); END")
        }
        let (logger, log) = Logger.recording()
        let commit = LiveRecorder.commit(through: Recorder(store: store, logger: logger))
        let gap = StreamGap(symbol: "ETHUSDT", fromTradeID: 10, toTradeID: 20, fromTime: Self.tick(10).timestamp,
                            toTime: Self.tick(20).timestamp, detectedAt: Self.t0 + .hours(1))
        let batch = LiveRecorder.CommitBatch(ticks: (20...30).map(Self.tick), gaps: [gap])
        // When the batch with the trades after the hole and the gap is committed, then it fails whole
        await #expect(throws: (any Error).self) { try await commit(batch) }
        #expect(try store.tickCount() == 0, "a crash now would lose the gap for good")
        #expect(log.entries.map(\.level) == [.warning])
        #expect(log.entries.first?.message.description == "Recording a batch failed; it was rolled back")
        #expect(log.entries.first?.metadata["recorder.batch"] == "11")
        #expect(try await store.bars(for: "ETHUSDT", timeframe: .oneSecond, in: .all).isEmpty)
        // And once the fault is gone, the retried batch stores both
        try await store.writer.write { try $0.execute(sql: "DROP TRIGGER refuse_gaps") }
        try await commit(batch)
        #expect(try store.tickCount() == 11)
        #expect(try store.gaps(for: "ETHUSDT") == [gap])
        #expect(try await store.bars(for: "ETHUSDT", timeframe: .oneSecond, in: .all).bars.map(\.trades).reduce(0, +) == 11)
    }

    @Test("after each commit the hook gets the batch's trades and the bars as written; a failed commit calls it not")
    func committedBatches() async throws {
        let store = try Store.inMemory()
        let seen = Mutex<[CommittedBatch]>([])
        let commit = LiveRecorder.commit(through: Recorder(store: store, timeframes: [.oneSecond, .oneMinute], logger: .quiet)) { batch in
            seen.withLock { $0.append(batch) }
        }
        try await commit(LiveRecorder.CommitBatch(ticks: (1...200).map(Self.tick)))
        try await commit(LiveRecorder.CommitBatch(ticks: (201...210).map(Self.tick)))
        try await store.writer.write {
            try $0.execute(sql: "CREATE TRIGGER refuse_ticks BEFORE INSERT ON tick_rows BEGIN SELECT RAISE(ABORT, 'disk full'); END")
        }
        await #expect(throws: (any Error).self) { try await commit(LiveRecorder.CommitBatch(ticks: (211...220).map(Self.tick))) }

        let batches = seen.withLock { $0 }
        #expect(batches.map { $0.ticks.map(\.tradeID) } == [Array(1...200), Array(201...210)])
        // The bars handed on are the stored ones after each commit: the last one of each timeframe equals the store's.
        for timeframe in [Timeframe.oneSecond, .oneMinute] {
            let stored = try await store.bars(for: "ETHUSDT", timeframe: timeframe, in: .all).bars
            let handed = batches.flatMap(\.bars).filter { $0.timeframe == timeframe }
            #expect(Set(handed.map(\.bar.openTime)) == Set(stored.map(\.openTime)))
            #expect(handed.last?.bar == stored.last)
        }
    }
}
