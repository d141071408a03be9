import Market
import NIOCore
import PostgresNIO

/// What one ``PostgresStore/record(_:timeframes:)`` call wrote.
public struct PostgresRecordResult: Sendable, Hashable {
    /// Trades stored for the first time.
    public var inserted = 0
    /// Trades already stored (same symbol and trade id), or repeated in the batch.
    public var duplicates = 0
    /// Bar rows inserted or updated.
    public var barsWritten = 0
}

extension PostgresStore {
    /// Stores `ticks` and recomputes their bars of `timeframes`, in one transaction.
    ///
    /// Trades are streamed with `COPY` into a temporary staging table, then moved with `INSERT … ON CONFLICT DO NOTHING`
    /// (the first stored version of a trade id stays). For each symbol with new trades, under its advisory lock, the
    /// bars of the finest timeframe are recomputed from the stored trades over the span the new trades cover, and each
    /// coarser timeframe from the finest bars (or from the trades, when it is not a multiple): bars always hold every
    /// writer's trades, whatever ran before or at the same time.
    /// - Throws: ``PostgresStoreError/query(operation:message:)``; nothing of the batch is stored then.
    public func record(_ ticks: [Tick], timeframes: [Timeframe]) async throws -> PostgresRecordResult {
        guard !ticks.isEmpty else { return PostgresRecordResult() }
        let frames = Array(Set(timeframes)).sorted()
        let symbols = Array(Set(ticks.map(\.symbol))).sorted()
        let logger = self.logger
        return try await transaction("storing \(ticks.count) trades") { connection in
            var ids: [Symbol: Int32] = [:]
            var names: [Int32: Symbol] = [:]
            for symbol in symbols {
                let id = try await Self.symbolID(symbol, connection, logger)
                ids[symbol] = id
                names[id] = symbol
                // Writers of one symbol take turns (in symbol order, so two batches never wait on each other in a cycle).
                try await connection.query("SELECT pg_advisory_xact_lock(1885496951, \(id))", logger: logger)
            }
            try await connection.query("""
                CREATE TEMP TABLE IF NOT EXISTS tick_staging (symbol_id integer, ts bigint, trade_id bigint, price numeric,
                    quantity numeric, is_buyer_maker boolean) ON COMMIT DELETE ROWS
                """, logger: logger)
            try await connection.copyFrom(table: "tick_staging", columns: ["symbol_id", "ts", "trade_id", "price", "quantity", "is_buyer_maker"],
                                          logger: logger) { writer in
                var buffer = ByteBuffer()
                buffer.reserveCapacity(1 << 20)
                for tick in ticks {
                    Self.appendRow(tick, symbolID: ids[tick.symbol]!, to: &buffer)
                    if buffer.readableBytes >= 1 << 20 {
                        try await writer.write(buffer)
                        buffer.clear()
                    }
                }
                if buffer.readableBytes > 0 { try await writer.write(buffer) }
            }
            var result = PostgresRecordResult()
            let summary = try await connection.query("""
                WITH inserted AS (
                    INSERT INTO tick_rows (symbol_id, ts, trade_id, price, quantity, is_buyer_maker)
                    SELECT DISTINCT ON (symbol_id, trade_id) symbol_id, ts, trade_id, price, quantity, is_buyer_maker
                    FROM tick_staging ORDER BY symbol_id, trade_id, ts
                    ON CONFLICT DO NOTHING
                    RETURNING symbol_id, ts)
                SELECT symbol_id, count(*), min(ts), max(ts) FROM inserted GROUP BY symbol_id
                """, logger: logger)
            var spans: [(Symbol, Int32, Timestamp, Timestamp)] = []
            for try await (id, count, first, last) in summary.decode((Int32, Int64, Int64, Int64).self) {
                result.inserted += Int(count)
                if let symbol = names[id] { spans.append((symbol, id, Timestamp(milliseconds: first), Timestamp(milliseconds: last))) }
            }
            result.duplicates = ticks.count - result.inserted
            for (symbol, id, first, last) in spans.sorted(by: { $0.0 < $1.0 }) {
                result.barsWritten += try await Self.recomputeBars(of: symbol, id: id, from: first, through: last, timeframes: frames,
                                                                   connection, logger)
            }
            return result
        }
    }

    /// The symbol's id, added to `symbols` if new.
    static func symbolID(_ symbol: Symbol, _ connection: PostgresConnection, _ logger: Logger) async throws -> Int32 {
        try await connection.query("INSERT INTO symbols (name) VALUES (\(symbol.name)) ON CONFLICT (name) DO NOTHING", logger: logger)
        for try await id in try await connection.query("SELECT id FROM symbols WHERE name = \(symbol.name)", logger: logger).decode(Int32.self) {
            return id
        }
        throw PostgresStoreError.query(operation: "storing a symbol", message: "\(symbol) has no id")
    }

    /// One `COPY` text row: `symbol_id ts trade_id price quantity t|f`, tab-separated. Prices and quantities in their
    /// shortest round-trip form (`63943.9`, `0.003`, `1e-05`), which `numeric` reads exactly.
    static func appendRow(_ tick: Tick, symbolID: Int32, to buffer: inout ByteBuffer) {
        buffer.writeString("\(symbolID)\t\(tick.timestamp.milliseconds)\t\(tick.tradeID)\t\(tick.price)\t\(tick.quantity)\t")
        buffer.writeString(tick.isBuyerMaker ? "t\n" : "f\n")
    }

    /// The columns of a bar row, for `INSERT INTO resampled_data …`.
    static let barColumns = "(symbol, timeframe, ts, open, high, low, close, volume, quote_volume, trades, taker_buy_volume)"

    /// A recomputed bar replaces the stored one.
    static let replaceBar = """
        ON CONFLICT (symbol, timeframe, ts) DO UPDATE SET open = excluded.open, high = excluded.high, low = excluded.low,
            close = excluded.close, volume = excluded.volume, quote_volume = excluded.quote_volume, trades = excluded.trades,
            taker_buy_volume = excluded.taker_buy_volume
        """

    /// Recomputes the bars of `symbol` whose buckets hold trades from `first` through `last`; returns the rows written.
    static func recomputeBars(of symbol: Symbol, id: Int32, from first: Timestamp, through last: Timestamp, timeframes: [Timeframe],
                              _ connection: PostgresConnection, _ logger: Logger) async throws -> Int {
        guard let finest = timeframes.first else { return 0 }
        var written = 0
        for timeframe in timeframes {
            let low = timeframe.barOpen(containing: first).milliseconds
            let high = timeframe.barOpen(containing: last).milliseconds + timeframe.span.milliseconds
            let span = timeframe.span.milliseconds
            let query: PostgresQuery
            if timeframe != finest, timeframe.isMultiple(of: finest) {
                query = """
                    WITH written AS (
                        INSERT INTO resampled_data \(unescaped: Self.barColumns)
                        SELECT \(symbol.name), \(timeframe.description), ts - ts % \(span) AS open_time,
                               (array_agg(open ORDER BY ts))[1], max(high), min(low), (array_agg(close ORDER BY ts DESC))[1],
                               sum(volume), sum(quote_volume), sum(trades), sum(taker_buy_volume)
                        FROM resampled_data
                        WHERE symbol = \(symbol.name) AND timeframe = \(finest.description) AND ts >= \(low) AND ts < \(high)
                        GROUP BY open_time
                        \(unescaped: Self.replaceBar)
                        RETURNING 1)
                    SELECT count(*) FROM written
                    """
            } else {
                query = """
                    WITH written AS (
                        INSERT INTO resampled_data \(unescaped: Self.barColumns)
                        SELECT \(symbol.name), \(timeframe.description), ts - ts % \(span) AS open_time,
                               (array_agg(price ORDER BY ts, trade_id))[1], max(price), min(price),
                               (array_agg(price ORDER BY ts DESC, trade_id DESC))[1], sum(quantity), sum(price * quantity), count(*),
                               coalesce(sum(quantity) FILTER (WHERE NOT is_buyer_maker), 0)
                        FROM tick_rows
                        WHERE symbol_id = \(id) AND ts >= \(low) AND ts < \(high)
                        GROUP BY open_time
                        \(unescaped: Self.replaceBar)
                        RETURNING 1)
                    SELECT count(*) FROM written
                    """
            }
            for try await count in try await connection.query(query, logger: logger).decode(Int64.self) { written += Int(count) }
        }
        return written
    }
}
