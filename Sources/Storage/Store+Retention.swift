import GRDB
import Market

// Old trades removed after a retention span (`keep_ticks_for`), bars kept: a collector that runs for months keeps
// its database to the span's trades plus every bar.

extension Store {
    /// Deletes up to `limit` of the oldest trades of each symbol that happened before `cutoff`, in one short
    /// transaction; bars stay as they are.
    ///
    /// Walks the `(symbol_id, ts, trade_id)` key: per symbol, the `limit`-th oldest trade before the cutoff bounds
    /// the batch, so a call costs O(symbols × (log n + limit)) whatever the table's size.
    /// - Returns: trades deleted; fewer than `limit` per symbol means nothing older than `cutoff` is left.
    /// - Throws: ``StoreError/sqlite(operation:message:)``.
    public func deleteTicks(before cutoff: Timestamp, limit: Int) throws -> Int {
        precondition(limit > 0)
        return try write { tx in
            let db = tx.database
            var deleted = 0
            for id in try Int64.fetchAll(db, sql: "SELECT id FROM symbols ORDER BY id") {
                let bound = try Row.fetchOne(db, sql: """
                    SELECT ts, trade_id FROM tick_rows WHERE symbol_id = ? AND ts < ? ORDER BY ts, trade_id LIMIT 1 OFFSET ?
                    """, arguments: [id, cutoff.milliseconds, limit - 1])
                if let bound {
                    try db.execute(sql: """
                        DELETE FROM tick_rows WHERE symbol_id = ? AND ts < ? AND (ts, trade_id) <= (?, ?)
                        """, arguments: [id, cutoff.milliseconds, bound[0] as Int64, bound[1] as Int64])
                } else {
                    try db.execute(sql: "DELETE FROM tick_rows WHERE symbol_id = ? AND ts < ?", arguments: [id, cutoff.milliseconds])
                }
                deleted += db.changesCount
            }
            return deleted
        }
    }
}
