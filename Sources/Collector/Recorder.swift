import Logging
import Market
import Storage

/// Stores batches of trades and keeps their bars current: the one write path shared by the live
/// collector, the CSV importer and the simulator.
///
/// Each ``record(_:)`` call is one database transaction: every trade is inserted unless already
/// stored (same symbol, time and trade id; new trades in bulk, 64 rows per statement), only the new
/// ones go through the ``Resampler``, and every bar they touched is upserted once (in bulk per series). So ticks and bars always commit together — re-recording the
/// same trades changes nothing, and a batch cut off by a crash or `kill -9` is rolled back whole
/// and simply recorded again on the next run (the resampler reloads the stored bars it needs).
///
/// ```swift
/// let recorder = Recorder(store: store, timeframes: [.oneSecond, .oneMinute, .fiveMinutes], logger: logger)
/// let result = try recorder.record(ticks)     // RecordResult(inserted:duplicates:barsWritten:)
/// ```
///
/// Several writers of one database — an import beside a collector, two collectors of one symbol, in one process or
/// several — keep bars right: each transaction marks this recorder as the last writer of its symbols' bars, and when
/// another writer wrote a symbol since, the recorder forgets the bars it holds of that symbol and rebuilds the ones it
/// touches from the stored trades (which hold everyone's), inside the same transaction.
///
/// Synchronous and not thread-safe: one recorder per database writer, used from one task at a time
/// (the live collector wraps it in its own service). Cost: O(n · timeframes) per batch of n trades,
/// plus one bar lookup per bar opened, and one statement per symbol per batch for the writer mark.
public final class Recorder {
    /// The database written to.
    public let store: Store
    /// The timeframes of the bars kept, finest first.
    public var timeframes: [Timeframe] { resampler.timeframes }

    /// Who this recorder is to the store's writer marks (random per recorder).
    public let writerID: String

    private var resampler: Resampler
    private let logger: Logger

    /// Creates a recorder writing to `store`, keeping bars of `timeframes` (default 1s, 1m, 5m).
    public init(store: Store, timeframes: [Timeframe] = Timeframe.defaults,
                logger: Logger) {
        self.store = store
        self.resampler = Resampler(timeframes: timeframes)
        self.logger = logger
        self.writerID = Self.newWriterID()
    }

    /// A random id for a writer of bars (``Storage/StoreTransaction/claimBarWrites(of:writer:)``).
    static func newWriterID() -> String {
        String(UInt64.random(in: .min ... .max), radix: 36)
    }

    /// Stores `ticks` and updates their bars in one transaction.
    ///
    /// - Parameters:
    ///   - ticks: trades of any symbols, in any order (in time order is fastest).
    ///   - writes: more writes that must commit with the trades or not at all (the live collector's gap rows:
    ///     a gap and the trades after it are one fact); run last, inside the same transaction.
    /// - Returns: how many trades were new or duplicates, and how many bar rows were written.
    /// - Throws: ``Storage/StoreError`` (or what `writes` throws) when the transaction fails; nothing of the batch is
    ///   then stored, and the recorder forgets its in-memory bars so the next batch starts from what is stored.
    public func record(_ ticks: some Collection<Tick>, with writes: ((StoreTransaction) throws -> Void)? = nil) throws -> RecordResult {
        guard !ticks.isEmpty || writes != nil else { return RecordResult() }
        do {
            return try store.write { tx in
                var result = RecordResult()
                // All trades first (new ones in bulk), then the resampler sees the new ones in order. A bar it
                // rebuilds from stored trades may then already hold later trades of this batch: it skips them.
                let isNew = try tx.insert(contentsOf: ticks)
                try claimBarWrites(of: ticks, in: tx)
                for (tick, new) in zip(ticks, isNew) {
                    if new {
                        result.inserted += 1
                        try resampler.add(tick, from: tx)
                    } else {
                        result.duplicates += 1
                    }
                }
                let bars = resampler.takeTouched()
                // One bulk upsert per series (takeTouched groups bars by timeframe, then symbol).
                var start = bars.startIndex
                while start < bars.endIndex {
                    let first = bars[start]
                    var end = start + 1
                    while end < bars.endIndex, bars[end].symbol == first.symbol, bars[end].timeframe == first.timeframe {
                        end += 1
                    }
                    try tx.upsert(contentsOf: bars[start..<end].lazy.map(\.bar), of: first.symbol, timeframe: first.timeframe)
                    start = end
                }
                result.barsWritten = bars.count
                result.touched = bars
                try writes?(tx)
                return result
            }
        } catch {
            resampler.reset()
            logger.warning("Recording a batch failed; it was rolled back", metadata: [
                "recorder.batch": "\(ticks.count)", "error": "\(error)",
            ])
            throw error
        }
    }

    /// Marks this recorder as the last writer of the bars of every symbol in `ticks`, and forgets the bars it holds of
    /// a symbol that another writer wrote since (they are rebuilt from the stored trades when touched).
    private func claimBarWrites(of ticks: some Collection<Tick>, in tx: StoreTransaction) throws {
        var claimed: Set<Symbol> = []
        var last: Symbol?
        for tick in ticks where tick.symbol != last {
            last = tick.symbol
            guard claimed.insert(tick.symbol).inserted else { continue }
            if try tx.claimBarWrites(of: tick.symbol, writer: writerID) {
                resampler.forget(tick.symbol)
            }
        }
    }

    /// Stores a sequence of trades of any length in batches of `batchSize`, one transaction each.
    ///
    /// Memory stays O(batchSize) whatever the length of `ticks` (it is iterated once, lazily).
    /// A failure leaves the batches before it stored (consistent ticks and bars); recording the same
    /// sequence again completes it.
    /// - Parameters:
    ///   - ticks: trades in any order (time order is fastest).
    ///   - batchSize: trades per transaction (default 50,000).
    ///   - afterBatch: called after each committed batch with that batch's result.
    /// - Returns: the totals of all batches.
    /// - Throws: ``Storage/StoreError`` from the failing batch.
    public func record(contentsOf ticks: some Sequence<Tick>, batchSize: Int = 50_000,
                       afterBatch: (RecordResult) -> Void = { _ in }) throws -> RecordResult {
        precondition(batchSize > 0, "batch size must be positive")
        var total = RecordResult()
        var batch: [Tick] = []
        batch.reserveCapacity(batchSize)
        for tick in ticks {
            batch.append(tick)
            if batch.count == batchSize {
                let result = try record(batch)
                total += result
                afterBatch(result)
                batch.removeAll(keepingCapacity: true)
            }
        }
        if !batch.isEmpty {
            let result = try record(batch)
            total += result
            afterBatch(result)
        }
        return total
    }
}
