import GRDB
import Market

// What the Resampler needs inside a write: the trades of a stored bar it must rebuild (a late trade for a bar it
// no longer holds), and the newest stored bar (to skip lookups of bars that cannot exist yet).

extension StoreTransaction {
    /// The stored trades of `symbol` with a time in `range`, by time then trade id.
    ///
    /// One indexed range scan of `(symbol, ts)`; O(k) in the trades returned. Sees this transaction's own inserts.
    /// - Throws: ``StoreError/sqlite(operation:message:)``.
    public func ticks(of symbol: Symbol, in range: TimeRange) throws -> [Tick] {
        var ticks: [Tick] = []
        try TickRows.forEach(in: database, of: symbol, in: range) { ticks.append($0) }
        return ticks
    }

    /// The open time of the newest stored bar of `symbol` at `timeframe`, or `nil` when there is none.
    ///
    /// One probe of the `(symbol, timeframe, ts)` unique index. Lets the resampler skip looking up
    /// bars that cannot exist yet (every bar it opens while importing new data).
    public func latestBarOpen(of symbol: Symbol, timeframe: Timeframe) throws -> Timestamp? {
        let statement = try database.cachedStatement(sql: """
            SELECT MAX(ts) FROM resampled_data WHERE symbol = ? AND timeframe = ?
            """)
        return try Int64.fetchOne(statement, arguments: [symbol.name, timeframe.description]).map(Timestamp.init(milliseconds:))
    }
}
