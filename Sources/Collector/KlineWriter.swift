import Market
import Storage

/// Writes imported klines as bars of their interval and rolls them up to coarser timeframes.
///
/// Each batch is one transaction: the klines are upserted, then every coarser bar they fall into
/// is recomputed from all stored bars of the kline interval inside it (not merged incrementally),
/// so importing files in any order, or the same file twice, gives the same bars.
struct KlineWriter {
    let store: Store
    let interval: Timeframe
    /// Configured timeframes that are whole multiples of `interval` (coarser), finest first.
    let rollups: [Timeframe]

    init(store: Store, interval: Timeframe, timeframes: [Timeframe]) {
        self.store = store
        self.interval = interval
        self.rollups = timeframes.filter { $0.isMultiple(of: interval) && $0 > interval }.sorted()
    }

    /// Upserts `bars` (of `interval`) and recomputes the roll-ups they touch.
    ///
    /// - Returns: the number of bar rows written.
    func write(_ bars: [Bar], of symbol: Symbol) throws -> Int {
        guard !bars.isEmpty else { return 0 }
        return try store.write { tx in
            // A recorder of the same symbol holding bars in memory must reload them.
            _ = try tx.claimBarWrites(of: symbol, writer: "klines")
            var written = 0
            for bar in bars {
                try tx.upsert(bar, of: symbol, timeframe: interval)
                written += 1
            }
            for timeframe in rollups {
                var opens: [Timestamp] = []
                for bar in bars {
                    let open = timeframe.barOpen(containing: bar.openTime)
                    if opens.last != open { opens.append(open) }
                }
                for open in Set(opens).sorted() {
                    let finer = try tx.bars(of: symbol, timeframe: interval, in: TimeRange(start: open, end: open + timeframe.span))
                    guard let rolled = Bar.rolledUp(finer, openTime: open) else { continue }
                    try tx.upsert(rolled, of: symbol, timeframe: timeframe)
                    written += 1
                }
            }
            return written
        }
    }
}
