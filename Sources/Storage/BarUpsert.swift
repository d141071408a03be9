import GRDB
import GRDBSQLite
import Market

/// Inserts or replaces bars of one series in `resampled_data`, ``rowsPerStatement`` rows per statement.
///
/// The upsert is written once here for one row and for many (`INSERT … VALUES (…), (…) ON CONFLICT DO
/// UPDATE`); SQLite applies the rows in order, so a bar repeated in one call ends up as its last version.
/// Bound through the C API: GRDB's `StatementArguments` would box eleven values per bar.
struct BarUpsert {
    /// Bars per multi-row statement (11 parameters each).
    static let rowsPerStatement = 32

    static func sql(rows: Int) -> String {
        """
        INSERT INTO resampled_data
            (symbol, timeframe, ts, open, high, low, close, volume, quote_volume, trades, taker_buy_volume)
        VALUES \(Array(repeating: "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", count: rows).joined(separator: ", "))
        ON CONFLICT (symbol, timeframe, ts) DO UPDATE SET
            open = excluded.open, high = excluded.high, low = excluded.low, close = excluded.close,
            volume = excluded.volume, quote_volume = excluded.quote_volume, trades = excluded.trades,
            taker_buy_volume = excluded.taker_buy_volume
        """
    }

    static let fullSQL = sql(rows: rowsPerStatement)
    static let oneSQL = sql(rows: 1)

    /// Upserts `bars` of `symbol` at `timeframe`.
    static func write(_ bars: some Collection<Bar>, of symbol: Symbol, timeframe: Timeframe, in database: Database) throws {
        guard !bars.isEmpty else { return }
        let full = bars.count >= rowsPerStatement ? try database.cachedStatement(sql: fullSQL).sqliteStatement : nil
        let one = try database.cachedStatement(sql: oneSQL).sqliteStatement
        // The two key strings are bound without a copy (SQLITE_STATIC) while their C strings live, and unbound after.
        try symbol.name.withCString { name in
            try timeframe.description.withCString { frame in
                defer {
                    if let full { sqlite3_clear_bindings(full) }
                    sqlite3_clear_bindings(one)
                }
                var row = 0
                var remaining = bars.count
                for bar in bars {
                    if let full, remaining >= rowsPerStatement || row > 0 {
                        bind(bar, symbol: name, timeframe: frame, to: full, at: Int32(row * 11 + 1))
                        row += 1
                        if row == rowsPerStatement {
                            try step(full, database)
                            row = 0
                            remaining -= rowsPerStatement
                        }
                    } else {
                        bind(bar, symbol: name, timeframe: frame, to: one, at: 1)
                        try step(one, database)
                    }
                }
            }
        }
    }

    private static func step(_ statement: OpaquePointer, _ database: Database) throws {
        let code = sqlite3_step(statement)
        sqlite3_reset(statement)
        guard code == SQLITE_DONE else {
            throw StoreError.sqlite(operation: "storing bars", message: String(cString: sqlite3_errmsg(database.sqliteConnection)))
        }
    }

    @inline(__always)
    private static func bind(_ bar: Bar, symbol: UnsafePointer<CChar>, timeframe: UnsafePointer<CChar>,
                             to statement: OpaquePointer, at first: Int32) {
        sqlite3_bind_text(statement, first, symbol, -1, nil)  // SQLITE_STATIC
        sqlite3_bind_text(statement, first + 1, timeframe, -1, nil)
        sqlite3_bind_int64(statement, first + 2, bar.openTime.milliseconds)
        sqlite3_bind_double(statement, first + 3, bar.open)
        sqlite3_bind_double(statement, first + 4, bar.high)
        sqlite3_bind_double(statement, first + 5, bar.low)
        sqlite3_bind_double(statement, first + 6, bar.close)
        sqlite3_bind_double(statement, first + 7, bar.volume)
        sqlite3_bind_double(statement, first + 8, bar.quoteVolume)
        sqlite3_bind_int64(statement, first + 9, bar.trades)
        sqlite3_bind_double(statement, first + 10, bar.takerBuyVolume)
    }
}
