import GRDB
import Market

extension Store {
    /// Calls `body` for each stored trade of `symbol` with a time in `range`, by time then trade id.
    ///
    /// Memory stays constant whatever the number of trades (a database cursor).
    /// - Throws: ``StoreError/sqlite(operation:message:)``, or what `body` throws.
    public func forEachTick(of symbol: Symbol, in range: TimeRange, _ body: (Tick) throws -> Void) throws {
        try read("reading trades") { db in
            let rows = try Row.fetchCursor(
                db,
                sql: """
                    SELECT trade_id, ts, price, quantity, is_buyer_maker FROM tick_data
                    WHERE symbol = ? AND ts >= ? AND ts < ? ORDER BY ts, trade_id
                    """,
                arguments: [symbol.name, range.start.milliseconds, range.end.milliseconds])
            while let row = try rows.next() {
                try body(Tick(
                    symbol: symbol, tradeID: row[0], timestamp: Timestamp(milliseconds: row[1]),
                    price: row[2], quantity: row[3], isBuyerMaker: row[4]))
            }
        }
    }

    /// The number of stored trades of `symbol` (all symbols when `nil`).
    public func tickCount(of symbol: Symbol? = nil) throws -> Int {
        try read("counting trades") { db in
            if let symbol {
                return try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM tick_data WHERE symbol = ?", arguments: [symbol.name]) ?? 0
            }
            return try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM tick_data") ?? 0
        }
    }
}
