import GRDB
import GRDBSQLite
import Market

/// What a ``StoreTransaction`` knows about one symbol's trades: its id and the key of its newest stored trade.
struct TickSeries {
    let id: Int64
    /// Newest key stored (or written by this transaction).
    var newest: TickKey
    /// Highest trade id stored (or written by this transaction). A trade above both this and ``newest`` cannot clash
    /// with anything stored, on the primary key (symbol, time, id) or on the unique (symbol, id).
    var highestTradeID: Int64

    /// Whether `tick` can be appended without a duplicate probe.
    func isAbove(_ key: TickKey) -> Bool { key > newest && key.tradeID > highestTradeID }

    mutating func advance(to key: TickKey) {
        newest = max(newest, key)
        highestTradeID = max(highestTradeID, key.tradeID)
    }
}

/// Writes trades known to be new into `tick_rows`, ``rowsPerStatement`` rows per `INSERT` statement.
///
/// The per-statement work (VDBE start-up, transaction checks, reset) is shared by 64 rows: in a probe this
/// wrote 2–2.5 times the rows per second of one-row statements. The plain `INSERT` (not
/// `OR IGNORE`) is deliberate: callers append only trades above their symbol's newest stored key, and a
/// broken promise fails loudly with a constraint error instead of being counted as stored.
struct TickBulkInsert {
    /// Trades per multi-row statement (6 parameters each, far below SQLite's 32,766).
    static let rowsPerStatement = 64

    static let columns = "tick_rows (symbol_id, ts, trade_id, price, quantity, is_buyer_maker)"
    static let fullSQL = "INSERT INTO \(columns) VALUES "
        + Array(repeating: "(?, ?, ?, ?, ?, ?)", count: rowsPerStatement).joined(separator: ", ")
    static let oneSQL = "INSERT INTO \(columns) VALUES (?, ?, ?, ?, ?, ?)"

    private let database: Database
    private let full: OpaquePointer
    private let one: OpaquePointer
    private var pending: [(tick: Tick, symbolID: Int64)] = []

    init(_ database: Database) throws {
        self.database = database
        full = try database.cachedStatement(sql: Self.fullSQL).sqliteStatement
        one = try database.cachedStatement(sql: Self.oneSQL).sqliteStatement
        pending.reserveCapacity(Self.rowsPerStatement)
    }

    /// Queues a new trade; writes a full statement's worth when there is one.
    mutating func append(_ tick: Tick, symbolID: Int64) throws {
        pending.append((tick, symbolID))
        if pending.count == Self.rowsPerStatement { try flush() }
    }

    /// Writes every queued trade (a full statement, or one row per statement for a shorter tail).
    mutating func flush() throws {
        guard !pending.isEmpty else { return }
        if pending.count == Self.rowsPerStatement {
            for (row, entry) in pending.enumerated() {
                Self.bind(entry.tick, symbolID: entry.symbolID, to: full, at: Int32(row * 6 + 1))
            }
            try step(full)
        } else {
            for entry in pending {
                Self.bind(entry.tick, symbolID: entry.symbolID, to: one, at: 1)
                try step(one)
            }
        }
        pending.removeAll(keepingCapacity: true)
    }

    private func step(_ statement: OpaquePointer) throws {
        let code = sqlite3_step(statement)
        sqlite3_reset(statement)
        guard code == SQLITE_DONE else {
            throw StoreError.sqlite(operation: "storing trades", message: String(cString: sqlite3_errmsg(database.sqliteConnection)))
        }
    }

    /// Binds the six `tick_rows` columns of `tick` to parameters `first` … `first + 5`.
    @inline(__always)
    static func bind(_ tick: Tick, symbolID: Int64, to statement: OpaquePointer, at first: Int32) {
        sqlite3_bind_int64(statement, first, symbolID)
        sqlite3_bind_int64(statement, first + 1, tick.timestamp.milliseconds)
        sqlite3_bind_int64(statement, first + 2, tick.tradeID)
        sqlite3_bind_double(statement, first + 3, tick.price)
        sqlite3_bind_double(statement, first + 4, tick.quantity)
        sqlite3_bind_int(statement, first + 5, tick.isBuyerMaker ? 1 : 0)
    }
}
