import Market
import NIOCore
import PostgresNIO
import Storage

// The PostgreSQL side of `pairbook migrate`: keyset reads in batches, trades and bars through `COPY`, bars stored as
// given (never recomputed from trades: imported klines have no trades behind them).

extension PostgresStore: MigratableStore {
    /// `postgres://user@host:port/database` (no password).
    public nonisolated var location: String { url.description }

    // MARK: - Trades

    public func tradeSymbols() async throws -> [Symbol] {
        let names = try await collect("reading symbols", """
            SELECT name FROM symbols WHERE EXISTS (SELECT 1 FROM tick_rows WHERE symbol_id = symbols.id) ORDER BY name
            """) { try $0.decode(String.self) }
        return try names.map { name in
            guard let symbol = try? Symbol(parsing: name) else {
                throw PostgresStoreError.query(operation: "reading symbols", message: "stored symbol '\(name)' is not a symbol")
            }
            return symbol
        }
    }

    public func tradeCount(of symbol: Symbol, through last: TickKey?) async throws -> Int {
        try await collect("counting trades of \(symbol)", """
            SELECT count(*) FROM tick_rows
            WHERE symbol_id = (SELECT id FROM symbols WHERE name = \(symbol.name))
              AND (ts, trade_id) <= (\(last?.milliseconds ?? .max), \(last?.tradeID ?? .max))
            """) { Int(try $0.decode(Int64.self)) }.first ?? 0
    }

    public func newestTradeKey(of symbol: Symbol) async throws -> TickKey? {
        try await collect("reading trades of \(symbol)", """
            SELECT ts, trade_id FROM tick_rows WHERE symbol_id = (SELECT id FROM symbols WHERE name = \(symbol.name))
            ORDER BY ts DESC, trade_id DESC LIMIT 1
            """) { row in
            let (ts, tradeID) = try row.decode((Int64, Int64).self)
            return TickKey(milliseconds: ts, tradeID: tradeID)
        }.first
    }

    public func trades(of symbol: Symbol, after key: TickKey?, limit: Int) async throws -> [Tick] {
        try await collect("reading trades of \(symbol)", """
            SELECT \(unescaped: Self.tradeValues) FROM tick_rows
            WHERE symbol_id = (SELECT id FROM symbols WHERE name = \(symbol.name))
              AND (ts, trade_id) > (\(key?.milliseconds ?? .min), \(key?.tradeID ?? .min))
            ORDER BY ts, trade_id LIMIT \(limit)
            """) { try Self.tick(of: symbol, from: $0) }
    }

    /// The batch goes straight into `tick_rows` with `COPY`; when one of its trades is stored already (a unique
    /// violation), that attempt is rolled back to a savepoint and the batch goes through a staging table and `INSERT …
    /// ON CONFLICT DO NOTHING` instead.
    public func insertTrades(_ ticks: [Tick]) async throws -> Int {
        guard !ticks.isEmpty else { return 0 }
        let logger = self.logger
        try await ensurePartitions(for: ticks)
        return try await transaction("storing \(ticks.count) trades") { connection in
            var ids: [Symbol: Int32] = [:]
            for symbol in Set(ticks.map(\.symbol)).sorted() { ids[symbol] = try await Self.symbolID(symbol, connection, logger) }
            let columns = ["symbol_id", "ts", "trade_id", "price", "quantity", "is_buyer_maker"]
            let copied = try await Self.unlessStored(connection, logger) { connection in
                try await Self.copy(ticks, into: "tick_rows", columns: columns, connection, logger) { tick, buffer in
                    Self.appendRow(tick, symbolID: ids[tick.symbol] ?? 0, to: &buffer)
                }
            }
            if copied { return ticks.count }
            try await connection.query(
                "CREATE TEMP TABLE IF NOT EXISTS migration_ticks (LIKE tick_rows) ON COMMIT DELETE ROWS", logger: logger)
            try await Self.copy(ticks, into: "migration_ticks", columns: columns, connection, logger) { tick, buffer in
                Self.appendRow(tick, symbolID: ids[tick.symbol] ?? 0, to: &buffer)
            }
            let inserted = try await connection.query("""
                WITH inserted AS (INSERT INTO tick_rows SELECT * FROM migration_ticks ON CONFLICT DO NOTHING RETURNING 1)
                SELECT count(*) FROM inserted
                """, logger: logger)
            var count = 0
            for try await n in inserted.decode(Int64.self) { count = Int(n) }
            return count
        }
    }

    // MARK: - Bars

    public func barSeriesKeys() async throws -> [(symbol: Symbol, timeframe: Timeframe)] {
        let rows = try await collect("reading bar series", "SELECT DISTINCT symbol, timeframe FROM resampled_data") {
            try $0.decode((String, String).self)
        }
        return try rows.map { row -> (symbol: Symbol, timeframe: Timeframe) in
            let (name, frame) = row
            guard let symbol = try? Symbol(parsing: name), let timeframe = try? Timeframe(parsing: frame) else {
                throw PostgresStoreError.query(operation: "reading bar series", message: "stored series '\(name) \(frame)' is not a symbol and timeframe")
            }
            return (symbol, timeframe)
        }.sorted { ($0.symbol, $0.timeframe) < ($1.symbol, $1.timeframe) }
    }

    public func barCount(of symbol: Symbol, timeframe: Timeframe, through openTime: Timestamp?) async throws -> Int {
        try await collect("counting bars of \(symbol) \(timeframe)", """
            SELECT count(*) FROM resampled_data
            WHERE symbol = \(symbol.name) AND timeframe = \(timeframe.description) AND ts <= \(openTime?.milliseconds ?? .max)
            """) { Int(try $0.decode(Int64.self)) }.first ?? 0
    }

    public func newestBarOpen(of symbol: Symbol, timeframe: Timeframe) async throws -> Timestamp? {
        try await collect("reading bars of \(symbol) \(timeframe)", """
            SELECT max(ts) FROM resampled_data WHERE symbol = \(symbol.name) AND timeframe = \(timeframe.description)
            """) { try $0.decode(Int64?.self).map(Timestamp.init(milliseconds:)) }.first ?? nil
    }

    public func bars(of symbol: Symbol, timeframe: Timeframe, after openTime: Timestamp?, limit: Int) async throws -> [Bar] {
        try await barRows("reading bars of \(symbol) \(timeframe)", """
            SELECT \(unescaped: Self.barValues) FROM resampled_data
            WHERE symbol = \(symbol.name) AND timeframe = \(timeframe.description) AND ts > \(openTime?.milliseconds ?? .min)
            ORDER BY ts LIMIT \(limit)
            """)
    }

    public func replaceBars(_ bars: [Bar], of symbol: Symbol, timeframe: Timeframe) async throws {
        guard !bars.isEmpty else { return }
        let logger = self.logger
        try await transaction("storing \(bars.count) bars of \(symbol) \(timeframe)") { connection in
            try await Self.upsertBars(bars, of: symbol, timeframe: timeframe, connection, logger)
        }
    }

    /// Inserts `bars`, replacing stored bars of the same open time, through a staging table filled with `COPY`.
    static func upsertBars(_ bars: [Bar], of symbol: Symbol, timeframe: Timeframe, _ connection: PostgresConnection,
                           _ logger: Logger) async throws {
        try await connection.query(
            "CREATE TEMP TABLE IF NOT EXISTS migration_bars (LIKE resampled_data) ON COMMIT DELETE ROWS", logger: logger)
        let key = "\(symbol.name)\t\(timeframe.description)\t"
        try await copy(bars, into: "migration_bars", columns: [], connection, logger) { bar, buffer in
            // Shortest round-trip decimals, which `numeric` reads exactly (as trades are written).
            buffer.writeString("\(key)\(bar.openTime.milliseconds)\t\(bar.open)\t\(bar.high)\t\(bar.low)\t\(bar.close)\t")
            buffer.writeString("\(bar.volume)\t\(bar.quoteVolume)\t\(bar.trades)\t\(bar.takerBuyVolume)\n")
        }
        try await connection.query("""
            INSERT INTO resampled_data SELECT * FROM migration_bars
            ON CONFLICT (symbol, timeframe, ts) DO UPDATE SET open = excluded.open, high = excluded.high, low = excluded.low,
                close = excluded.close, volume = excluded.volume, quote_volume = excluded.quote_volume, trades = excluded.trades,
                taker_buy_volume = excluded.taker_buy_volume
            """, logger: logger)
    }

    // MARK: - Tables with row ids

    public func rowCount(of table: StoredTable) async throws -> Int {
        try await collect("counting \(table)", "SELECT count(*) FROM \(unescaped: table.name)") { Int(try $0.decode(Int64.self)) }.first ?? 0
    }

    public func rows(of table: StoredTable, afterID id: Int64?, limit: Int) async throws -> [StoredRow] {
        try await collect("reading \(table)", """
            SELECT id, \(unescaped: table.columnList) FROM \(unescaped: table.name) WHERE id > \(id ?? .min) ORDER BY id LIMIT \(limit)
            """) { try Self.storedRow($0, columns: table.columns) }
    }

    public func naturalKeys(of table: StoredTable) async throws -> [StoredRow] {
        try await collect("reading \(table)", """
            SELECT id, \(unescaped: table.naturalKeyList) FROM \(unescaped: table.name) ORDER BY id
            """) { try Self.storedRow($0, columns: table.naturalKey.map { table.columns[$0] }) }
    }

    public func insertRows(_ rows: [[StoredValue]], into table: StoredTable) async throws {
        guard !rows.isEmpty else { return }
        let logger = self.logger
        // PostgreSQL takes at most 65,535 parameters per statement.
        let rowsPerStatement = max(1, 60_000 / table.columns.count)
        try await transaction("storing \(rows.count) rows of \(table)") { connection in
            for start in stride(from: 0, to: rows.count, by: rowsPerStatement) {
                let chunk = rows[start..<min(start + rowsPerStatement, rows.count)]
                var bindings = PostgresBindings(capacity: chunk.count * table.columns.count)
                var tuples: [String] = []
                tuples.reserveCapacity(chunk.count)
                for row in chunk {
                    let first = bindings.count + 1
                    tuples.append("(" + (first..<first + row.count).map { "$\($0)" }.joined(separator: ", ") + ")")
                    for value in row { Self.bind(value, to: &bindings) }
                }
                try await connection.query(PostgresQuery(unsafeSQL: """
                    INSERT INTO \(table.name) (\(table.columnList)) VALUES \(tuples.joined(separator: ", "))
                    """, binds: bindings), logger: logger)
            }
        }
    }

    // MARK: - Helpers

    /// Runs `query` and transforms each row; a failure (also while decoding) is one ``PostgresStoreError/query(operation:message:)``.
    func collect<T>(_ operation: String, _ query: PostgresQuery, _ transform: (PostgresRow) throws -> T) async throws -> [T] {
        let rows = try await run(operation, query)
        var values: [T] = []
        do {
            for try await row in rows { values.append(try transform(row)) }
        } catch {
            throw PostgresStoreError.query(operation: operation, message: Self.message(of: error))
        }
        return values
    }

    /// Streams `items` into `table` with `COPY` (text format), in writes of about 1 MiB; `append` writes one row.
    static func copy<Item>(_ items: [Item], into table: String, columns: [String], _ connection: PostgresConnection,
                                   _ logger: Logger, append: (Item, inout ByteBuffer) -> Void) async throws {
        try await connection.copyFrom(table: table, columns: columns, logger: logger) { writer in
            var buffer = ByteBuffer()
            buffer.reserveCapacity(1 << 20)
            for item in items {
                append(item, &buffer)
                if buffer.readableBytes >= 1 << 20 {
                    try await writer.write(buffer)
                    buffer.clear()
                }
            }
            if buffer.readableBytes > 0 { try await writer.write(buffer) }
        }
    }

    /// A row of `id` followed by `columns`, decoded by the columns' types.
    private static func storedRow(_ row: PostgresRow, columns: [StoredTable.Column]) throws -> StoredRow {
        let cells = row.makeRandomAccess()
        var values: [StoredValue] = []
        values.reserveCapacity(columns.count)
        for (index, column) in columns.enumerated() {
            let cell = cells[index + 1]
            switch column.type {
            case .integer: values.append(try cell.decode(Int64?.self).map(StoredValue.integer) ?? .null)
            case .real: values.append(try cell.decode(Double?.self).map(StoredValue.real) ?? .null)
            case .text: values.append(try cell.decode(String?.self).map(StoredValue.text) ?? .null)
            case .boolean: values.append(try cell.decode(Bool?.self).map(StoredValue.boolean) ?? .null)
            }
        }
        return StoredRow(id: try cells[0].decode(Int64.self), values: values)
    }

    private static func bind(_ value: StoredValue, to bindings: inout PostgresBindings) {
        switch value {
        case .null: bindings.appendNull()
        case .integer(let value): bindings.append(value)
        case .real(let value): bindings.append(value)
        case .text(let value): bindings.append(value)
        case .boolean(let value): bindings.append(value)
        }
    }
}
