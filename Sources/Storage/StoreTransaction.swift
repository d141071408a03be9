import GRDB
import GRDBSQLite
import Market

/// The write operations available inside ``Store/write(_:)-(StoreTransaction)->T``; valid only there.
///
/// Statements are prepared once per connection and cached; the tick insert binds through the
/// SQLite C API directly, because it runs once per trade on the import and collector hot paths.
public final class StoreTransaction {
    /// The GRDB connection, for `Store+<Area>` extensions inside the Storage module.
    let database: Database

    /// The tick insert, looked up once per transaction rather than once per trade.
    private var tickInsertStatement: Statement?

    init(_ database: Database) {
        self.database = database
    }

    private func tickInsert() throws -> Statement {
        if let tickInsertStatement { return tickInsertStatement }
        let statement = try database.cachedStatement(sql: """
            INSERT OR IGNORE INTO tick_data (symbol, trade_id, ts, price, quantity, is_buyer_maker)
            VALUES (?, ?, ?, ?, ?, ?)
            """)
        tickInsertStatement = statement
        return statement
    }

    // MARK: - Ticks

    /// Stores a trade unless a trade with the same symbol and trade id is already stored.
    ///
    /// O(log n) (one B-tree probe of the unique index). Never logs.
    /// - Returns: `true` when the trade was new and has been stored, `false` for a duplicate.
    /// - Throws: ``StoreError/sqlite(operation:message:)``.
    public func insert(_ tick: Tick) throws -> Bool {
        let raw = try tickInsert().sqliteStatement
        let name = tick.symbol.name
        let code: Int32 = name.withCString { cName in
            sqlite3_bind_text(raw, 1, cName, -1, SQLITE_TRANSIENT_DESTRUCTOR)
            sqlite3_bind_int64(raw, 2, tick.tradeID)
            sqlite3_bind_int64(raw, 3, tick.timestamp.milliseconds)
            sqlite3_bind_double(raw, 4, tick.price)
            sqlite3_bind_double(raw, 5, tick.quantity)
            sqlite3_bind_int(raw, 6, tick.isBuyerMaker ? 1 : 0)
            let code = sqlite3_step(raw)
            sqlite3_reset(raw)
            return code
        }
        guard code == SQLITE_DONE else {
            throw StoreError.sqlite(operation: "storing a trade", message: String(cString: sqlite3_errmsg(database.sqliteConnection)))
        }
        return sqlite3_changes(database.sqliteConnection) > 0
    }

    // MARK: - Bars

    /// The stored bar of `symbol` at `timeframe` opening at `openTime`, if any. O(log n).
    public func bar(of symbol: Symbol, timeframe: Timeframe, openTime: Timestamp) throws -> Bar? {
        let statement = try database.cachedStatement(sql: """
            SELECT ts, open, high, low, close, volume, quote_volume, trades, taker_buy_volume
            FROM resampled_data WHERE symbol = ? AND timeframe = ? AND ts = ?
            """)
        return try BarRow.fetchOne(statement, arguments: [symbol.name, timeframe.description, openTime.milliseconds])?.bar
    }

    /// Inserts the bar, or replaces every field of the stored bar with the same symbol, timeframe and open time.
    public func upsert(_ bar: Bar, of symbol: Symbol, timeframe: Timeframe) throws {
        let statement = try database.cachedStatement(sql: """
            INSERT INTO resampled_data
                (symbol, timeframe, ts, open, high, low, close, volume, quote_volume, trades, taker_buy_volume)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (symbol, timeframe, ts) DO UPDATE SET
                open = excluded.open, high = excluded.high, low = excluded.low, close = excluded.close,
                volume = excluded.volume, quote_volume = excluded.quote_volume, trades = excluded.trades,
                taker_buy_volume = excluded.taker_buy_volume
            """)
        // Bound through the C API: GRDB's StatementArguments would box eleven values per bar.
        let raw = statement.sqliteStatement
        let code: Int32 = symbol.name.withCString { cSymbol in
            timeframe.description.withCString { cTimeframe in
                sqlite3_bind_text(raw, 1, cSymbol, -1, SQLITE_TRANSIENT_DESTRUCTOR)
                sqlite3_bind_text(raw, 2, cTimeframe, -1, SQLITE_TRANSIENT_DESTRUCTOR)
                sqlite3_bind_int64(raw, 3, bar.openTime.milliseconds)
                sqlite3_bind_double(raw, 4, bar.open)
                sqlite3_bind_double(raw, 5, bar.high)
                sqlite3_bind_double(raw, 6, bar.low)
                sqlite3_bind_double(raw, 7, bar.close)
                sqlite3_bind_double(raw, 8, bar.volume)
                sqlite3_bind_double(raw, 9, bar.quoteVolume)
                sqlite3_bind_int64(raw, 10, bar.trades)
                sqlite3_bind_double(raw, 11, bar.takerBuyVolume)
                let code = sqlite3_step(raw)
                sqlite3_reset(raw)
                return code
            }
        }
        guard code == SQLITE_DONE else {
            throw StoreError.sqlite(operation: "storing a bar", message: String(cString: sqlite3_errmsg(database.sqliteConnection)))
        }
    }

    /// The bars of `symbol` at `timeframe` in `range`, ascending (for roll-ups inside a write).
    public func bars(of symbol: Symbol, timeframe: Timeframe, in range: TimeRange) throws -> [Bar] {
        try BarRow.fetchAll(database, BarRow.select(symbol: symbol, timeframe: timeframe, range: range)).map(\.bar)
    }

    // MARK: - Gaps

    /// Records a hole in a symbol's trade-id sequence.
    public func insert(_ gap: StreamGap) throws {
        try database.execute(
            sql: """
                INSERT INTO stream_gaps (symbol, from_trade_id, to_trade_id, from_ts, to_ts, detected_at, filled_at)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [gap.symbol.name, gap.fromTradeID, gap.toTradeID, gap.fromTime.milliseconds,
                        gap.toTime.milliseconds, gap.detectedAt.milliseconds, gap.filledAt?.milliseconds])
    }

    /// Marks the stored gap of `symbol` starting after `fromTradeID` as filled at `time`.
    public func markGapFilled(symbol: Symbol, fromTradeID: Int64, at time: Timestamp) throws {
        try database.execute(
            sql: "UPDATE stream_gaps SET filled_at = ? WHERE symbol = ? AND from_trade_id = ? AND filled_at IS NULL",
            arguments: [time.milliseconds, symbol.name, fromTradeID])
    }
}

/// `SQLITE_TRANSIENT`: SQLite copies the bound text before `bind` returns.
private let SQLITE_TRANSIENT_DESTRUCTOR = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
