import GRDB
import Market

extension Store {
    /// Calls `body` for each stored trade of `symbol` with a time in `range`, by time then trade id.
    ///
    /// Memory stays constant whatever the number of trades (a database cursor).
    /// - Throws: ``StoreError/sqlite(operation:message:)``, or what `body` throws.
    public func forEachTick(of symbol: Symbol, in range: TimeRange, _ body: (Tick) throws -> Void) throws {
        try read("reading trades") { db in try TickRows.forEach(in: db, of: symbol, in: range, body) }
    }

    /// The number of stored trades of `symbol` (all symbols when `nil`).
    public func tickCount(of symbol: Symbol? = nil) throws -> Int {
        try read("counting trades") { db in
            if let symbol {
                return try Int.fetchOne(db, sql: """
                    SELECT COUNT(*) FROM tick_rows WHERE symbol_id = (SELECT id FROM symbols WHERE name = ?)
                    """, arguments: [symbol.name]) ?? 0
            }
            return try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM tick_rows") ?? 0
        }
    }
}

extension Store {
    /// The number of stored trades of `symbol` with a time in `range` (an index range count).
    public func tickCount(of symbol: Symbol, in range: TimeRange) throws -> Int {
        try read("counting trades") { db in
            try Int.fetchOne(db, sql: """
                SELECT COUNT(*) FROM tick_rows WHERE symbol_id = (SELECT id FROM symbols WHERE name = ?) AND ts >= ? AND ts < ?
                """, arguments: [symbol.name, range.start.milliseconds, range.end.milliseconds]) ?? 0
        }
    }
}
