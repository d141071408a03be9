import GRDB
import Market

// What the live collector needs from the store when it starts: where each symbol's stored trades end, so
// that a hole across downtime (last stored id … first id received after the restart) is recorded as a gap.

extension Store {
    /// The newest stored trade of each of `symbols` (latest time, then highest trade id); symbols without trades
    /// are absent.
    ///
    /// Trade ids of a symbol increase with time on Binance, so this is the highest id stored: where the symbol's
    /// recording stopped. One probe of the end of the symbol's `(symbol, ts, trade_id)` key range per symbol,
    /// whatever the table size.
    ///
    /// ```swift
    /// for (symbol, tick) in try store.lastTicks(of: ["BTCUSDT", "ETHUSDT"]) {
    ///     detector.seed(symbol, lastTradeID: tick.tradeID, at: tick.timestamp)
    /// }
    /// ```
    /// - Throws: ``StoreError/sqlite(operation:message:)``.
    public func lastTicks(of symbols: [Symbol]) throws -> [Symbol: Tick] {
        try read("reading the last stored trades") { db in
            let statement = try db.cachedStatement(sql: """
                SELECT trade_id, ts, price, quantity, is_buyer_maker FROM tick_data
                WHERE symbol = ? ORDER BY ts DESC, trade_id DESC LIMIT 1
                """)
            var result: [Symbol: Tick] = [:]
            for symbol in symbols {
                guard let row = try Row.fetchOne(statement, arguments: [symbol.name]) else { continue }
                result[symbol] = Tick(
                    symbol: symbol, tradeID: row[0], timestamp: Timestamp(milliseconds: row[1]),
                    price: row[2], quantity: row[3], isBuyerMaker: row[4])
            }
            return result
        }
    }
}

// MARK: - WAL checkpoints for low latency

extension Store {
    /// How many WAL pages the writer connection lets accumulate before it checkpoints (`PRAGMA wal_autocheckpoint`).
    ///
    /// - Throws: ``StoreError/sqlite(operation:message:)``.
    public func walAutoCheckpointPages() throws -> Int {
        try write { tx in try Int.fetchOne(tx.database, sql: "PRAGMA wal_autocheckpoint") ?? 0 }
    }

    /// Sets how many WAL pages the writer connection lets accumulate before it checkpoints, for as long as this
    /// store is open (the file keeps no such setting).
    ///
    /// The store's default favours bulk imports (few, large checkpoints). The live collector sets 1,000 pages
    /// (SQLite's default, about 4 MiB): a checkpoint runs inside the commit that crosses the threshold, and a
    /// 10,000-page one holds that commit, and every trade queued behind it, for a few hundred milliseconds.
    ///
    /// - Throws: ``StoreError/sqlite(operation:message:)``.
    public func setWALAutoCheckpoint(pages: Int) throws {
        try write { tx in try tx.database.execute(sql: "PRAGMA wal_autocheckpoint = \(max(0, pages))") }
    }
}
