import GRDB
import GRDBSQLite
import Market

/// The write operations available inside ``Store/write(_:)-(StoreTransaction)->T``; valid only there.
///
/// Statements are prepared once per connection and cached; the tick and bar writes bind through the
/// SQLite C API directly, because they run once per trade or bar on the import and collector hot paths.
public final class StoreTransaction {
    /// The GRDB connection, for `Store+<Area>` extensions inside the Storage module.
    let database: Database

    /// Per symbol written in this transaction: its id and the key of its newest stored trade
    /// (except the current symbol's, which is in `lastSeries`).
    private var series: [Symbol: TickSeries] = [:]
    /// The last symbol looked up and its up-to-date state (trades come in runs of one symbol).
    private var lastSeries: (symbol: Symbol, series: TickSeries)?

    init(_ database: Database) {
        self.database = database
    }

    // MARK: - Ticks

    /// Stores a trade unless the same trade is already stored: the same (symbol, time, trade id), or the same trade id
    /// of the symbol at another time (a corrected dump, a switch between `trade` and `aggTrade` streams): the first
    /// stored stays.
    ///
    /// O(log n) (B-tree probes of the primary key and the unique (symbol, trade id) index). Never logs.
    /// - Returns: `true` when the trade was new and has been stored, `false` for a duplicate.
    /// - Throws: ``StoreError/sqlite(operation:message:)``.
    public func insert(_ tick: Tick) throws -> Bool {
        var state = try tickSeries(of: tick.symbol)
        let key = TickKey(tick)
        let isNew = try insertOrIgnore(tick, symbolID: state.id)
        if isNew {
            state.advance(to: key)
            remember(state, for: tick.symbol)
        }
        return isNew
    }

    /// Stores every trade of `ticks` that is not already stored; the bulk form of ``insert(_:)``.
    ///
    /// Trades newer than the newest stored trade of their symbol, with a higher trade id than any stored (the usual
    /// case: a file or a stream in time order) are written 64 rows per `INSERT` statement, with no duplicate probe:
    /// neither their key nor their id can be stored yet. Any other trade (older, a repeat, or an id already stored at
    /// another time) takes the one-row `INSERT OR IGNORE` path.
    /// Cost: O(n log n) B-tree work; the per-statement overhead is paid once per 64 trades (in a probe,
    /// 2–2.5 times the rows per second of one-row statements). Never logs.
    /// - Parameter ticks: trades of any symbols, in any order (time order per symbol is fastest).
    /// - Returns: for each trade, in order, `true` if it was new and has been stored, `false` for a duplicate.
    /// - Throws: ``StoreError/sqlite(operation:message:)``.
    public func insert(contentsOf ticks: some Collection<Tick>) throws -> [Bool] {
        var isNew = [Bool](repeating: false, count: ticks.count)
        var bulk = try TickBulkInsert(database)
        var index = 0
        for tick in ticks {
            var state = try tickSeries(of: tick.symbol)
            let key = TickKey(tick)
            if state.isAbove(key) {
                state.advance(to: key)
                remember(state, for: tick.symbol)
                isNew[index] = true
                try bulk.append(tick, symbolID: state.id)
            } else {
                // Older than (or equal to) something stored or pending: write what is pending first, so that
                // the probe below sees it.
                try bulk.flush()
                isNew[index] = try insertOrIgnore(tick, symbolID: state.id)
                if isNew[index] {
                    state.advance(to: key)
                    remember(state, for: tick.symbol)
                }
            }
            index += 1
        }
        try bulk.flush()
        return isNew
    }

    /// The id (added to `symbols` if needed) and newest stored key of `symbol`: two queries the first time a
    /// transaction sees the symbol, then a comparison with the current symbol.
    private func tickSeries(of symbol: Symbol) throws -> TickSeries {
        if let last = lastSeries, last.symbol == symbol { return last.series }
        if let known = series[symbol] {
            remember(known, for: symbol)
            return known
        }
        try database.execute(sql: "INSERT OR IGNORE INTO symbols (name) VALUES (?)", arguments: [symbol.name])
        guard let id = try Int64.fetchOne(database, sql: "SELECT id FROM symbols WHERE name = ?", arguments: [symbol.name]) else {
            throw StoreError.sqlite(operation: "storing a symbol", message: "\(symbol) has no id")
        }
        let newest = try Row.fetchOne(
            database,
            sql: "SELECT ts, trade_id FROM tick_rows WHERE symbol_id = ? ORDER BY ts DESC, trade_id DESC LIMIT 1",
            arguments: [id]
        ).map { TickKey(milliseconds: $0[0], tradeID: $0[1]) } ?? .none
        // The unique (symbol_id, trade_id) index answers this with one probe.
        let highest = try Int64.fetchOne(database, sql: "SELECT MAX(trade_id) FROM tick_rows WHERE symbol_id = ?", arguments: [id]) ?? .min
        let state = TickSeries(id: id, newest: newest, highestTradeID: highest)
        remember(state, for: symbol)
        return state
    }

    /// Keeps `state` as the current symbol's; the previous current symbol's goes back into `series`
    /// (so the dictionary is written once per run of a symbol, not once per trade).
    private func remember(_ state: TickSeries, for symbol: Symbol) {
        if let last = lastSeries, last.symbol != symbol { series[last.symbol] = last.series }
        lastSeries = (symbol, state)
    }

    /// One-row `INSERT OR IGNORE`; `true` when the row was new.
    private func insertOrIgnore(_ tick: Tick, symbolID: Int64) throws -> Bool {
        let raw = try database.cachedStatement(sql: """
            INSERT OR IGNORE INTO tick_rows (symbol_id, ts, trade_id, price, quantity, is_buyer_maker)
            VALUES (?, ?, ?, ?, ?, ?)
            """).sqliteStatement
        TickBulkInsert.bind(tick, symbolID: symbolID, to: raw, at: 1)
        let code = sqlite3_step(raw)
        sqlite3_reset(raw)
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
    ///
    /// O(log n). - Throws: ``StoreError/sqlite(operation:message:)``.
    public func upsert(_ bar: Bar, of symbol: Symbol, timeframe: Timeframe) throws {
        try BarUpsert.write(CollectionOfOne(bar), of: symbol, timeframe: timeframe, in: database)
    }

    /// Upserts every bar of `bars` (one series), 32 rows per statement; the bulk
    /// form of ``upsert(_:of:timeframe:)``. A bar repeated in `bars` ends up as its last version.
    ///
    /// O(k log n) for k bars. - Throws: ``StoreError/sqlite(operation:message:)``.
    public func upsert(contentsOf bars: some Collection<Bar>, of symbol: Symbol, timeframe: Timeframe) throws {
        try BarUpsert.write(bars, of: symbol, timeframe: timeframe, in: database)
    }

    /// The bars of `symbol` at `timeframe` in `range`, ascending (for roll-ups inside a write).
    public func bars(of symbol: Symbol, timeframe: Timeframe, in range: TimeRange) throws -> [Bar] {
        try BarRow.fetchAll(database, BarRow.select(symbol: symbol, timeframe: timeframe, range: range)).map(\.bar)
    }

    /// Marks `writer` as the last writer of `symbol`'s bars; `true` when someone else wrote them since `writer` last did
    /// (another process, another recorder, a kline import), or nobody is recorded: bars of `symbol` that `writer` holds in
    /// memory may then be stale and must be reloaded from what is stored.
    ///
    /// One statement. - Throws: ``StoreError/sqlite(operation:message:)``.
    public func claimBarWrites(of symbol: Symbol, writer: String) throws -> Bool {
        try database.execute(sql: "INSERT OR IGNORE INTO symbols (name) VALUES (?)", arguments: [symbol.name])
        try database.execute(
            sql: "UPDATE symbols SET bar_writer = ? WHERE name = ? AND bar_writer IS NOT ?",
            arguments: [writer, symbol.name, writer])
        return database.changesCount > 0
    }

    // MARK: - Gaps

    /// Records a hole in a symbol's trade-id sequence.
    public func insert(_ gap: StreamGap) throws {
        try gap.insert(database)
    }

    /// Marks the stored gap of `symbol` starting after `fromTradeID` as filled at `time`.
    public func markGapFilled(symbol: Symbol, fromTradeID: Int64, at time: Timestamp) throws {
        try StreamGap
            .filter(StreamGap.Columns.symbol == symbol.name && StreamGap.Columns.fromTradeID == fromTradeID && StreamGap.Columns.filledAt == nil)
            .updateAll(database, StreamGap.Columns.filledAt.set(to: time.milliseconds))
    }
}
