import Market

/// What `pairbook migrate` reads from one store and writes into another: the reads and writes of the SQLite
/// ``Store`` and of the PostgreSQL store behind one protocol, in the units a copy needs (batches in key order,
/// counts up to a key, writes that ignore or replace what is already there).
///
/// Trades are read by (symbol, time, trade id) — ``TickKey``, the order of both stores' trade key — bars by (symbol,
/// timeframe, open time), the rows of a ``StoredTable`` by row id; every read is one indexed range scan of at most
/// `limit` rows (keyset pagination).
public protocol MigratableStore: Sendable {
    /// The store as named in messages: `sqlite:PATH`, or `postgres://user@host:port/database` (no password).
    var location: String { get }

    // MARK: - Trades

    /// The symbols with at least one stored trade, sorted.
    func tradeSymbols() async throws -> [Symbol]
    /// The number of stored trades of `symbol` with a key up to `last` (all when `nil`).
    func tradeCount(of symbol: Symbol, through last: TickKey?) async throws -> Int
    /// The key of the newest stored trade of `symbol` (latest time, then highest trade id), or `nil` when it has none.
    func newestTradeKey(of symbol: Symbol) async throws -> TickKey?
    /// At most `limit` trades of `symbol` with a key above `key` (all when `nil`), by key: by time, then trade id.
    func trades(of symbol: Symbol, after key: TickKey?, limit: Int) async throws -> [Tick]
    /// Stores the trades not stored yet (a trade is its symbol and trade id), in one transaction, without touching
    /// bars; returns how many were new.
    func insertTrades(_ ticks: [Tick]) async throws -> Int

    // MARK: - Bars

    /// Every (symbol, timeframe) with stored bars, by symbol then timeframe.
    func barSeriesKeys() async throws -> [(symbol: Symbol, timeframe: Timeframe)]
    /// The number of stored bars of the series opening up to `openTime` (all when `nil`).
    func barCount(of symbol: Symbol, timeframe: Timeframe, through openTime: Timestamp?) async throws -> Int
    /// The open time of the newest stored bar of the series, or `nil` when it has none.
    func newestBarOpen(of symbol: Symbol, timeframe: Timeframe) async throws -> Timestamp?
    /// At most `limit` bars of the series opening after `openTime` (all when `nil`), ascending.
    func bars(of symbol: Symbol, timeframe: Timeframe, after openTime: Timestamp?, limit: Int) async throws -> [Bar]
    /// Stores `bars` as given (inserted, or replacing the stored bar of the same open time), in one transaction;
    /// nothing is recomputed from trades.
    func replaceBars(_ bars: [Bar], of symbol: Symbol, timeframe: Timeframe) async throws

    // MARK: - Tables with row ids

    /// The number of rows of `table`.
    func rowCount(of table: StoredTable) async throws -> Int
    /// At most `limit` rows of `table` with an id above `id` (all when `nil`), by id, with every copied column.
    func rows(of table: StoredTable, afterID id: Int64?, limit: Int) async throws -> [StoredRow]
    /// Every row of `table` with only its natural key's values, by id.
    func naturalKeys(of table: StoredTable) async throws -> [StoredRow]
    /// Inserts rows (every copied column, in ``StoredTable/columns`` order; new ids), in one transaction.
    func insertRows(_ rows: [[StoredValue]], into table: StoredTable) async throws
}
