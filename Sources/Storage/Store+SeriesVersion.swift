import GRDB
import Market

/// What identifies the stored content of one bar series in a range, for caches of answers computed from it.
///
/// Bars only change when trades are added to them (re-importing the same trades changes nothing), and every added
/// trade raises `trades`; a new bar raises `count`. So two equal versions of the same series and range mean equal
/// bars — except after a kline import that rewrites stored bars with other values but the same trade counts.
public struct SeriesVersion: Sendable, Hashable {
    /// Bars in the range.
    public var count: Int
    /// Sum of the bars' trade counts.
    public var trades: Int64
    /// Open time of the newest bar in the range (ms UTC), if any.
    public var newest: Int64?

    public init(count: Int, trades: Int64, newest: Int64?) {
        self.count = count
        self.trades = trades
        self.newest = newest
    }
}

extension Store {
    /// The version of the bars of `symbol` at `timeframe` in `range`: one scan of the range on the primary key
    /// (O(k), no row leaves SQLite).
    /// - Throws: ``StoreError/sqlite(operation:message:)``.
    public func version(of symbol: Symbol, timeframe: Timeframe, in range: TimeRange) throws -> SeriesVersion {
        try read("reading a series version") { db in
            let row = try Row.fetchOne(db, sql: """
                SELECT count(*), coalesce(sum(trades), 0), max(ts) FROM resampled_data
                WHERE symbol = ? AND timeframe = ? AND ts >= ? AND ts < ?
                """, arguments: [symbol.name, timeframe.description, range.start.milliseconds, range.end.milliseconds])
            return SeriesVersion(count: row?[0] ?? 0, trades: row?[1] ?? 0, newest: row?[2])
        }
    }
}
