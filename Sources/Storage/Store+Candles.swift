import GRDB
import Market

/// Bars merged into wider candles while they are read: what a chart a few thousand pixels wide needs from a day of
/// one-second bars, without holding the day in memory.
public struct CandleSeries: Sendable, Hashable {
    /// Stored bars in the range (before merging).
    public var count: Int
    /// Consecutive stored bars per candle (1: the bars as stored).
    public var bucket: Int
    /// The candles, ascending: each the ``Bar/merge(_:)`` of `bucket` consecutive bars (the last may hold fewer).
    public var candles: [Bar]

    public init(count: Int, bucket: Int, candles: [Bar]) {
        self.count = count
        self.bucket = bucket
        self.candles = candles
    }
}

extension Store {
    /// The bars of `symbol` at `timeframe` whose open time lies in `range`, merged `bucket(count)` consecutive bars at
    /// a time (open of the first, highest high, lowest low, close of the last, summed volumes and trades).
    ///
    /// One read transaction: a count over the primary key, then one indexed range scan that merges as it goes, so
    /// memory is O(candles) whatever the number of bars; O(k) time in the bars in range. Equal to reading
    /// ``bars(for:timeframe:in:)`` and merging the same buckets with ``Bar/merge(_:)``.
    /// - Parameter bucket: bars per candle for a range holding `count` bars (values below 1 count as 1).
    /// - Throws: ``StoreError/sqlite(operation:message:)``.
    public func candles(for symbol: Symbol, timeframe: Timeframe, in range: TimeRange,
                        bucket: (_ count: Int) -> Int) throws -> CandleSeries {
        try read("reading candles") { db in
            let arguments: StatementArguments = [symbol.name, timeframe.description, range.start.milliseconds, range.end.milliseconds]
            let count = try Int.fetchOne(db, sql: """
                SELECT count(*) FROM resampled_data WHERE symbol = ? AND timeframe = ? AND ts >= ? AND ts < ?
                """, arguments: arguments) ?? 0
            let size = max(1, bucket(count))
            var candles: [Bar] = []
            candles.reserveCapacity(count / size + 1)
            var index = 0
            let cursor = try BarRow.fetchCursor(db, BarRow.select(symbol: symbol, timeframe: timeframe, range: range))
            while let row = try cursor.next() {
                if index % size == 0 { candles.append(row.bar) } else { candles[candles.count - 1].merge(row.bar) }
                index += 1
            }
            return CandleSeries(count: index, bucket: size, candles: candles)
        }
    }

    /// How many bars of `symbol` at `timeframe` open in `range` (one count over the primary key).
    public func barCount(for symbol: Symbol, timeframe: Timeframe, in range: TimeRange) throws -> Int {
        try read("counting bars") { db in
            try Int.fetchOne(db, sql: """
                SELECT count(*) FROM resampled_data WHERE symbol = ? AND timeframe = ? AND ts >= ? AND ts < ?
                """, arguments: [symbol.name, timeframe.description, range.start.milliseconds, range.end.milliseconds]) ?? 0
        }
    }
}
