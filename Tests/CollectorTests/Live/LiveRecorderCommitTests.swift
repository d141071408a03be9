import Collector
import GRDB
import InMemoryLogging
import Logging
import Market
import PairbookTestSupport
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
    func gapAndTicksTogether() throws {
        // Given a store whose stream_gaps refuses inserts (as a full disk would, between two transactions)
        let store = try Store.inMemory()
        try store.writer.write {
            try $0.execute(sql: "CREATE TRIGGER refuse_gaps BEFORE INSERT ON stream_gaps BEGIN SELECT RAISE(ABORT, 'disk full'); END")
        }
        let (logger, log) = Logger.recording()
        let commit = LiveRecorder.commit(through: Recorder(store: store, logger: logger))
        let gap = StreamGap(symbol: "ETHUSDT", fromTradeID: 10, toTradeID: 20, fromTime: Self.tick(10).timestamp,
                            toTime: Self.tick(20).timestamp, detectedAt: Self.t0 + .hours(1))
        let batch = LiveRecorder.CommitBatch(ticks: (20...30).map(Self.tick), gaps: [gap])
        // When the batch with the trades after the hole and the gap is committed, then it fails whole
        #expect(throws: (any Error).self) { try commit(batch) }
        #expect(try store.tickCount() == 0, "a crash now would lose the gap for good")
        #expect(log.entries.map(\.level) == [.warning])
        #expect(log.entries.first?.message.description == "Recording a batch failed; it was rolled back")
        #expect(log.entries.first?.metadata["recorder.batch"] == "11")
        #expect(try store.bars(for: "ETHUSDT", timeframe: .oneSecond, in: .all).isEmpty)
        // And once the fault is gone, the retried batch stores both
        try store.writer.write { try $0.execute(sql: "DROP TRIGGER refuse_gaps") }
        try commit(batch)
        #expect(try store.tickCount() == 11)
        #expect(try store.gaps(for: "ETHUSDT") == [gap])
        #expect(try store.bars(for: "ETHUSDT", timeframe: .oneSecond, in: .all).bars.map(\.trades).reduce(0, +) == 11)
    }
}
