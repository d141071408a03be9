import GRDB
import Market

// The SQLite side of `pairbook migrate`: keyset reads in batches and writes that skip or replace what is stored.

extension Store: MigratableStore {
    /// `sqlite:PATH` (`sqlite::memory:` in memory).
    public var location: String { "sqlite:\(path ?? ":memory:")" }

    // MARK: - Trades

    public func tradeSymbols() async throws -> [Symbol] {
        let names = try await read("reading symbols") { db in
            try String.fetchAll(db, sql: """
                SELECT name FROM symbols WHERE EXISTS (SELECT 1 FROM tick_rows WHERE symbol_id = symbols.id) ORDER BY name
                """)
        }
        return try names.map { try Self.storedSymbol($0) }
    }

    public func tradeCount(of symbol: Symbol, through last: TickKey?) async throws -> Int {
        try await read("counting trades of \(symbol)") { db in
            // A range of the (symbol_id, ts, trade_id) key.
            try Int.fetchOne(db, sql: """
                SELECT COUNT(*) FROM tick_rows WHERE symbol_id = (SELECT id FROM symbols WHERE name = ?) AND (ts, trade_id) <= (?, ?)
                """, arguments: [symbol.name, last?.milliseconds ?? .max, last?.tradeID ?? .max]) ?? 0
        }
    }

    public func newestTradeKey(of symbol: Symbol) async throws -> TickKey? {
        try await read("reading trades of \(symbol)") { db in
            try Row.fetchOne(db, sql: """
                SELECT ts, trade_id FROM tick_rows WHERE symbol_id = (SELECT id FROM symbols WHERE name = ?)
                ORDER BY ts DESC, trade_id DESC LIMIT 1
                """, arguments: [symbol.name]).map { TickKey(milliseconds: $0[0], tradeID: $0[1]) }
        }
    }

    public func trades(of symbol: Symbol, after key: TickKey?, limit: Int) async throws -> [Tick] {
        try await read("reading trades of \(symbol)") { db in
            let statement = try db.cachedStatement(sql: """
                SELECT trade_id, ts, price, quantity, is_buyer_maker FROM tick_rows
                WHERE symbol_id = (SELECT id FROM symbols WHERE name = ?) AND (ts, trade_id) > (?, ?) ORDER BY ts, trade_id LIMIT ?
                """)
            let rows = try Row.fetchCursor(statement, arguments: [symbol.name, key?.milliseconds ?? .min, key?.tradeID ?? .min, limit])
            var ticks: [Tick] = []
            ticks.reserveCapacity(min(limit, 1 << 16))
            while let row = try rows.next() {
                ticks.append(Tick(symbol: symbol, tradeID: row[0], timestamp: Timestamp(milliseconds: row[1]), price: row[2],
                                  quantity: row[3], isBuyerMaker: row[4]))
            }
            return ticks
        }
    }

    public func insertTrades(_ ticks: [Tick]) async throws -> Int {
        try await write { tx in try tx.insert(contentsOf: ticks).count(where: { $0 }) }
    }

    // MARK: - Bars

    public func barSeriesKeys() async throws -> [(symbol: Symbol, timeframe: Timeframe)] {
        let rows = try await read("reading bar series") { db in
            try Row.fetchAll(db, sql: "SELECT DISTINCT symbol, timeframe FROM resampled_data ORDER BY symbol, timeframe")
                .map { (symbol: $0[0] as String, timeframe: $0[1] as String) }
        }
        return try rows.map { row -> (symbol: Symbol, timeframe: Timeframe) in
            guard let timeframe = try? Timeframe(parsing: row.timeframe) else {
                throw StoreError.sqlite(operation: "reading bar series", message: "stored timeframe '\(row.timeframe)' is not a timeframe")
            }
            return (try Self.storedSymbol(row.symbol), timeframe)
        }.sorted { ($0.symbol, $0.timeframe) < ($1.symbol, $1.timeframe) }
    }

    public func barCount(of symbol: Symbol, timeframe: Timeframe, through openTime: Timestamp?) async throws -> Int {
        try await read("counting bars of \(symbol) \(timeframe)") { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM resampled_data WHERE symbol = ? AND timeframe = ? AND ts <= ?",
                             arguments: [symbol.name, timeframe.description, openTime?.milliseconds ?? .max]) ?? 0
        }
    }

    public func newestBarOpen(of symbol: Symbol, timeframe: Timeframe) async throws -> Timestamp? {
        try await read("reading bars of \(symbol) \(timeframe)") { db in
            try Int64.fetchOne(db, sql: "SELECT MAX(ts) FROM resampled_data WHERE symbol = ? AND timeframe = ?",
                               arguments: [symbol.name, timeframe.description]).map(Timestamp.init(milliseconds:))
        }
    }

    public func bars(of symbol: Symbol, timeframe: Timeframe, after openTime: Timestamp?, limit: Int) async throws -> [Bar] {
        try await read("reading bars of \(symbol) \(timeframe)") { db in
            try BarRow.fetchAll(db, sql: """
                SELECT \(BarRow.columns) FROM resampled_data WHERE symbol = ? AND timeframe = ? AND ts > ? ORDER BY ts LIMIT ?
                """, arguments: [symbol.name, timeframe.description, openTime?.milliseconds ?? .min, limit]).map(\.bar)
        }
    }

    /// Also marks the symbol's bars as written by someone else, so that a collector holding them in memory reloads them.
    public func replaceBars(_ bars: [Bar], of symbol: Symbol, timeframe: Timeframe) async throws {
        try await write { tx in
            try tx.upsert(contentsOf: bars, of: symbol, timeframe: timeframe)
            _ = try tx.claimBarWrites(of: symbol, writer: "pairbook migrate")
        }
    }

    // MARK: - Tables with row ids

    public func rowCount(of table: StoredTable) async throws -> Int {
        try await read("counting \(table)") { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(table.name)") ?? 0 }
    }

    public func rows(of table: StoredTable, afterID id: Int64?, limit: Int) async throws -> [StoredRow] {
        try await read("reading \(table)") { db in
            try Self.storedRows(db, sql: "SELECT id, \(table.columnList) FROM \(table.name) WHERE id > ? ORDER BY id LIMIT ?",
                                arguments: [id ?? .min, limit], columns: table.columns)
        }
    }

    public func naturalKeys(of table: StoredTable) async throws -> [StoredRow] {
        try await read("reading \(table)") { db in
            try Self.storedRows(db, sql: "SELECT id, \(table.naturalKeyList) FROM \(table.name) ORDER BY id",
                                arguments: [], columns: table.naturalKey.map { table.columns[$0] })
        }
    }

    public func insertRows(_ rows: [[StoredValue]], into table: StoredTable) async throws {
        guard !rows.isEmpty else { return }
        try await write { tx in
            let statement = try tx.database.cachedStatement(sql: """
                INSERT INTO \(table.name) (\(table.columnList)) VALUES (\(table.columns.map { _ in "?" }.joined(separator: ", ")))
                """)
            for row in rows {
                try statement.execute(arguments: StatementArguments(row.map(\.databaseValue)))
            }
        }
    }

    // MARK: - Helpers

    /// Rows of `id` followed by `columns`, decoded by the columns' types.
    private static func storedRows(_ db: Database, sql: String, arguments: StatementArguments,
                                   columns: [StoredTable.Column]) throws -> [StoredRow] {
        let cursor = try Row.fetchCursor(db, sql: sql, arguments: arguments)
        var rows: [StoredRow] = []
        while let row = try cursor.next() {
            var values: [StoredValue] = []
            values.reserveCapacity(columns.count)
            for (index, column) in columns.enumerated() {
                values.append(try StoredValue.decoding(row[index + 1], as: column.type, column: column.name))
            }
            rows.append(StoredRow(id: row[0], values: values))
        }
        return rows
    }

    /// A symbol name as stored, validated.
    private static func storedSymbol(_ name: String) throws -> Symbol {
        guard let symbol = try? Symbol(parsing: name) else {
            throw StoreError.sqlite(operation: "reading symbols", message: "stored symbol '\(name)' is not a symbol")
        }
        return symbol
    }
}
