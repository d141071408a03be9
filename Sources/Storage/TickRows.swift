import GRDB
import Market

/// Reads the trades of one symbol in a time range: the one tick query, shared by ``Store`` reads and
/// ``StoreTransaction`` (which also sees its own uncommitted inserts).
enum TickRows {
    /// Calls `body` for each stored trade of `symbol` with a time in `range`, by time then trade id.
    /// One range scan of the primary key `(symbol_id, ts, trade_id)`; constant memory (a cursor over a cached statement).
    static func forEach(in db: Database, of symbol: Symbol, in range: TimeRange, _ body: (Tick) throws -> Void) throws {
        let statement = try db.cachedStatement(sql: """
            SELECT trade_id, ts, price, quantity, is_buyer_maker FROM tick_rows
            WHERE symbol_id = (SELECT id FROM symbols WHERE name = ?) AND ts >= ? AND ts < ? ORDER BY ts, trade_id
            """)
        let rows = try Row.fetchCursor(statement, arguments: [symbol.name, range.start.milliseconds, range.end.milliseconds])
        while let row = try rows.next() {
            try body(Tick(
                symbol: symbol, tradeID: row[0], timestamp: Timestamp(milliseconds: row[1]),
                price: row[2], quantity: row[3], isBuyerMaker: row[4]))
        }
    }
}
