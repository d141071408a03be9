import GRDB
import Market

// Added by the importer for Collector's Resampler (rebuilding a stored bar from its trades when a
// trade arrives for a bar it no longer holds; skipping lookups of bars that cannot exist). Additive only.

extension StoreTransaction {
    /// The stored trades of `symbol` with a time in `range`, by time then trade id.
    ///
    /// One indexed range scan of `(symbol, ts)`; O(k) in the trades returned. Sees this transaction's own inserts.
    /// - Throws: ``StoreError/sqlite(operation:message:)``.
    public func ticks(of symbol: Symbol, in range: TimeRange) throws -> [Tick] {
        let statement = try database.cachedStatement(sql: """
            SELECT trade_id, ts, price, quantity, is_buyer_maker FROM tick_data
            WHERE symbol = ? AND ts >= ? AND ts < ? ORDER BY ts, trade_id
            """)
        let rows = try Row.fetchCursor(statement, arguments: [symbol.name, range.start.milliseconds, range.end.milliseconds])
        var ticks: [Tick] = []
        while let row = try rows.next() {
            ticks.append(Tick(
                symbol: symbol, tradeID: row[0], timestamp: Timestamp(milliseconds: row[1]),
                price: row[2], quantity: row[3], isBuyerMaker: row[4]))
        }
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
