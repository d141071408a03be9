import Market
import NIOCore
import PostgresNIO
import Storage

/// What one ``PostgresStore/record(_:timeframes:gaps:filledGaps:keepingBars:)`` call wrote.
public struct PostgresRecordResult: Sendable, Hashable {
    /// Trades stored for the first time.
    public var inserted = 0
    /// Trades already stored (same symbol and trade id), or repeated in the batch.
    public var duplicates = 0
    /// Bar rows inserted or updated.
    public var barsWritten = 0
    /// The bars written, by symbol then timeframe, when asked for (`keepingBars`); empty otherwise.
    public var touched: [BarSeries] = []
}

extension PostgresStore {
    /// Stores `ticks` and recomputes their bars of `timeframes`: each symbol's trades and bars in one transaction, the
    /// symbols of the batch at the same time on their own connections (at most ``maximumWriters``).
    ///
    /// Everything happens under the symbol's advisory lock, so bars always hold every writer's trades, whatever ran
    /// before or at the same time; a trade stored already (same symbol, time and trade id: the key) is skipped, and a
    /// trade id repeated in the batch keeps its earliest version. A live-sized share of a symbol (at most ``mergeLimit`` trades) is one statement:
    /// the trades not stored yet are inserted and their bars merged into the stored ones
    /// (``insertMerging(_:id:frames:keepingBars:_:_:)``). A larger one goes straight into `tick_rows` with `COPY`;
    /// when some are stored already (a unique violation), that attempt is rolled back to a savepoint and they go
    /// through a temporary staging table and `INSERT … ON CONFLICT DO NOTHING` instead. Then the bars of the finest
    /// timeframe are recomputed from the stored trades over the span the new trades cover, and each coarser timeframe
    /// from the coarsest finer bars it is a multiple of (or from the trades).
    ///
    /// The live collector's gap rows go into the transaction of their symbol: `gaps` are recorded (each hole once,
    /// however often the batch is recorded) and `filledGaps` marked filled at their time, so a symbol's trades after a
    /// hole never commit without the hole's row.
    ///
    /// ```swift
    /// let result = try await store.record(batch, timeframes: Timeframe.defaults)   // 1s, 1m and 5m bars
    /// ```
    /// - Parameter keepingBars: return the bars written (``PostgresRecordResult/touched``), for consumers of live updates.
    /// - Throws: ``PostgresStoreError/query(operation:message:)`` or ``PostgresStoreError/cannotConnect(_:reason:)``,
    ///   the first symbol's failure; that symbol's trades are not stored then, while other symbols of the batch may be
    ///   (recording the batch again is safe: stored trades are skipped, bars recomputed, and gaps recorded once).
    public func record(_ ticks: [Tick], timeframes: [Timeframe], gaps: [StreamGap] = [],
                       filledGaps: [(gap: StreamGap, at: Timestamp)] = [], keepingBars: Bool = false) async throws -> PostgresRecordResult {
        guard !ticks.isEmpty || !gaps.isEmpty || !filledGaps.isEmpty else { return PostgresRecordResult() }
        let frames = Array(Set(timeframes)).sorted()
        try await ensurePartitions(for: ticks)
        let parts = SymbolTrades.partition(ticks, gaps: gaps, filledGaps: filledGaps)
        var writers: [PostgresConnection] = []
        do {
            for _ in 0..<min(parts.count, Self.maximumWriters) { writers.append(try await checkOutWriter()) }
        } catch {
            writers.forEach(checkIn)
            throw error
        }
        let logger = self.logger
        // Each writer takes every n-th symbol; a failure does not cancel the others' transactions mid-way.
        let outcomes = await withTaskGroup(of: [Result<PostgresRecordResult, any Error>].self) { group in
            for (lane, writer) in writers.enumerated() {
                let mine = stride(from: lane, to: parts.count, by: writers.count).map { parts[$0] }
                group.addTask {
                    var outcomes: [Result<PostgresRecordResult, any Error>] = []
                    for part in mine {
                        do {
                            outcomes.append(.success(try await Self.record(part, timeframes: frames, keepingBars: keepingBars,
                                                                           on: writer, logger)))
                        } catch { outcomes.append(.failure(error)) }
                    }
                    return outcomes
                }
            }
            var all: [Result<PostgresRecordResult, any Error>] = []
            for await outcomes in group { all += outcomes }
            return all
        }
        writers.forEach(checkIn)
        var result = PostgresRecordResult()
        for outcome in outcomes {
            let part = try outcome.get()
            result.inserted += part.inserted
            result.duplicates += part.duplicates
            result.barsWritten += part.barsWritten
            result.touched += part.touched
        }
        return result
    }

    /// Stores one symbol's trades, brings their bars up to date and writes its gap rows, in one transaction on
    /// `connection`: a live-sized share (at most ``mergeLimit`` trades) in one statement that merges the new trades'
    /// bars into the stored ones (``insertMerging(_:id:frames:keepingBars:_:_:)``), a larger one copied, its bars
    /// recomputed from the stored trades.
    static func record(_ part: SymbolTrades, timeframes: [Timeframe], keepingBars: Bool, on connection: PostgresConnection,
                       _ logger: Logger) async throws -> PostgresRecordResult {
        try await transaction("storing \(part.received) trades of \(part.symbol)", on: connection, logger) { connection in
            var result = PostgresRecordResult(duplicates: part.received)
            if !part.trades.isEmpty {
                let (id, barFrames) = try await symbolRow(part.symbol, locking: true, connection, logger)
                let complete = try await completeFrames(ofSymbol: id, stored: barFrames, writing: timeframes, connection, logger)
                result = part.trades.count <= mergeLimit
                    ? try await recordMerging(part, id: id, timeframes: timeframes, complete: complete, keepingBars: keepingBars,
                                              connection, logger)
                    : try await recordCopying(part, id: id, timeframes: timeframes, complete: complete, keepingBars: keepingBars,
                                              connection, logger)
            }
            try await recordGaps(part.gaps, filled: part.filledGaps, connection, logger)
            return result
        }
    }

    /// A live-sized share: trades and the bars of `complete` timeframes in one statement; the bars of the others (some
    /// writer did not keep them) recomputed after it.
    static func recordMerging(_ part: SymbolTrades, id: Int32, timeframes: [Timeframe], complete: Set<Timeframe>, keepingBars: Bool,
                              _ connection: PostgresConnection, _ logger: Logger) async throws -> PostgresRecordResult {
        let frames = timeframes.filter(complete.contains)
        let merged = try await insertMerging(part, id: id, frames: frames, keepingBars: keepingBars, connection, logger)
        var result = PostgresRecordResult(inserted: merged.inserted, duplicates: part.received - merged.inserted,
                                          barsWritten: merged.barsWritten)
        result.touched = frames.compactMap { frame in merged.bars[frame].map { BarSeries(symbol: part.symbol, timeframe: frame, bars: $0) } }
        if let span = merged.span, frames.count < timeframes.count {
            let (count, bars) = try await recomputeBars(
                of: part.symbol, id: id, from: span.first, through: span.last, timeframes: timeframes, complete: complete,
                skipping: Set(frames), keepingBars: keepingBars, connection, logger)
            result.barsWritten += count
            result.touched += bars
        }
        return result
    }

    /// A larger share: its trades copied (or, when some are stored, inserted skipping those), its bars recomputed from
    /// the stored trades.
    static func recordCopying(_ part: SymbolTrades, id: Int32, timeframes: [Timeframe], complete: Set<Timeframe>, keepingBars: Bool,
                              _ connection: PostgresConnection, _ logger: Logger) async throws -> PostgresRecordResult {
        var result = PostgresRecordResult(duplicates: part.received)
        let stored: (count: Int, first: Timestamp, last: Timestamp)?
        if try await copyNew(part, id: id, connection, logger) {
            stored = (part.trades.count, part.first, part.last)
        } else {
            stored = try await insertSkippingStored(part, id: id, connection, logger)
        }
        if let stored {
            result.inserted = stored.count
            result.duplicates = part.received - stored.count
            (result.barsWritten, result.touched) = try await recomputeBars(
                of: part.symbol, id: id, from: stored.first, through: stored.last, timeframes: timeframes,
                complete: complete, keepingBars: keepingBars, connection, logger)
        }
        return result
    }

    /// `COPY`s the trades straight into `tick_rows`; false, with nothing stored, when one of them is there already.
    static func copyNew(_ part: SymbolTrades, id: Int32, _ connection: PostgresConnection, _ logger: Logger) async throws -> Bool {
        try await unlessStored(connection, logger) { connection in
            try await copy(part.trades, symbolID: id, into: "tick_rows", connection, logger)
        }
    }

    /// Runs `write` under a savepoint: true when it succeeded; false, with its writes rolled back, when it hit a stored
    /// row (a unique violation). Any other failure is thrown.
    static func unlessStored(_ connection: PostgresConnection, _ logger: Logger,
                             _ write: (PostgresConnection) async throws -> Void) async throws -> Bool {
        try await connection.query("SAVEPOINT unless_stored", logger: logger)
        do {
            try await write(connection)
        } catch let error as PSQLError where error.serverInfo?[.sqlState] == "23505" {  // unique_violation
            try await connection.query("ROLLBACK TO SAVEPOINT unless_stored", logger: logger)
            return false
        }
        try await connection.query("RELEASE SAVEPOINT unless_stored", logger: logger)
        return true
    }

    /// Stores the trades not stored yet, through a staging table and `INSERT … ON CONFLICT DO NOTHING`: how many, and
    /// the span of their times (nil when there is none).
    static func insertSkippingStored(_ part: SymbolTrades, id: Int32, _ connection: PostgresConnection,
                                     _ logger: Logger) async throws -> (count: Int, first: Timestamp, last: Timestamp)? {
        try await connection.query("""
            CREATE TEMP TABLE IF NOT EXISTS tick_staging (symbol_id integer, ts bigint, trade_id bigint, price numeric,
                quantity numeric, is_buyer_maker boolean) ON COMMIT DELETE ROWS
            """, logger: logger)
        try await copy(part.trades, symbolID: id, into: "tick_staging", connection, logger)
        let summary = try await connection.query("""
            WITH inserted AS (
                INSERT INTO tick_rows (symbol_id, ts, trade_id, price, quantity, is_buyer_maker)
                SELECT symbol_id, ts, trade_id, price, quantity, is_buyer_maker FROM tick_staging
                ON CONFLICT DO NOTHING
                RETURNING ts)
            SELECT count(*), min(ts), max(ts) FROM inserted
            """, logger: logger)
        for try await (count, first, last) in summary.decode((Int64, Int64?, Int64?).self) {
            guard let first, let last, count > 0 else { return nil }
            return (Int(count), Timestamp(milliseconds: first), Timestamp(milliseconds: last))
        }
        return nil
    }

    /// Streams `ticks` into `table` (`tick_rows` or `tick_staging`) with `COPY`, in chunks of about 1 MiB.
    static func copy(_ ticks: [Tick], symbolID: Int32, into table: String, _ connection: PostgresConnection,
                     _ logger: Logger) async throws {
        try await connection.copyFrom(table: table, columns: ["symbol_id", "ts", "trade_id", "price", "quantity", "is_buyer_maker"],
                                      logger: logger) { writer in
            var buffer = ByteBuffer()
            buffer.reserveCapacity(1 << 20)
            for tick in ticks {
                appendRow(tick, symbolID: symbolID, to: &buffer)
                if buffer.readableBytes >= 1 << 20 {
                    try await writer.write(buffer)
                    buffer.clear()
                }
            }
            if buffer.readableBytes > 0 { try await writer.write(buffer) }
        }
    }

    /// The symbol's id, added to `symbols` if new (looked up first: an insert that conflicts still uses up an id).
    ///
    /// With `locking`, the statement that finds the id also takes the symbol's advisory lock for the transaction
    /// (writers of one symbol take turns; a transaction locks one symbol only, so no two wait on each other): one
    /// round trip for a known symbol.
    static func symbolID(_ symbol: Symbol, locking: Bool = false, _ connection: PostgresConnection,
                         _ logger: Logger) async throws -> Int32 {
        try await symbolRow(symbol, locking: locking, connection, logger).id
    }

    /// ``symbolID(_:locking:_:_:)`` and the symbol's `bar_frames` (nil while no writer recorded trades), read by the
    /// same statement: a writer's per-batch lookup, lock and timeframe check in one round trip.
    static func symbolRow(_ symbol: Symbol, locking: Bool = false, _ connection: PostgresConnection,
                          _ logger: Logger) async throws -> (id: Int32, barFrames: String?) {
        func stored() async throws -> (id: Int32, barFrames: String?)? {
            // The lock's value is `void`, read as '' (the cast makes it decodable).
            let lock = locking ? "pg_advisory_xact_lock(1885496951, id)::text" : "''::text"
            let rows = try await connection.query(
                "SELECT id, \(unescaped: lock), bar_frames FROM symbols WHERE name = \(symbol.name)", logger: logger)
            for try await (id, _, frames) in rows.decode((Int32, String, String?).self) { return (id, frames) }
            return nil
        }
        if let row = try await stored() { return row }
        try await connection.query("INSERT INTO symbols (name) VALUES (\(symbol.name)) ON CONFLICT (name) DO NOTHING", logger: logger)
        if let row = try await stored() { return row }
        throw PostgresStoreError.query(operation: "storing a symbol", message: "\(symbol) has no id")
    }

    /// The timeframes whose stored bars of the symbol hold every stored trade: those that every writer of its bars
    /// kept, each time it wrote, `frames` included. A coarser bar is built from finer bars only of these; writers keeping
    /// different lists (`1m,5m` and `5m`) would otherwise build a 5m bar from 1m bars that lack the other's trades.
    ///
    /// Kept in `symbols.bar_frames` (nil until a writer records trades: that writer's list), narrowed in the
    /// transaction that holds the symbol's lock. A list that does not parse counts as none (bars then come from trades).
    static func completeFrames(ofSymbol id: Int32, stored: String?, writing frames: [Timeframe], _ connection: PostgresConnection,
                               _ logger: Logger) async throws -> Set<Timeframe> {
        var complete = Set(frames)
        if let stored {
            complete.formIntersection(stored.isEmpty ? [] : (try? Timeframe.parseList(stored)) ?? [])
        }
        let text = complete.sorted().map(\.description).joined(separator: ",")
        if stored != text {
            try await connection.query("UPDATE symbols SET bar_frames = \(text) WHERE id = \(id)", logger: logger)
        }
        return complete
    }

    /// One `COPY` text row: `symbol_id ts trade_id price quantity t|f`, tab-separated. Prices and quantities in their
    /// shortest round-trip form (`63943.9`, `0.003`, `1e-05`), which `numeric` reads exactly.
    ///
    /// Field by field: a `description` of up to 15 bytes is a small string, so a row costs no allocation (an
    /// interpolated row string costs one).
    static func appendRow(_ tick: Tick, symbolID: Int32, to buffer: inout ByteBuffer) {
        appendField(symbolID.description, to: &buffer)
        appendField(tick.timestamp.milliseconds.description, to: &buffer)
        appendField(tick.tradeID.description, to: &buffer)
        appendField(tick.price.description, to: &buffer)
        appendField(tick.quantity.description, to: &buffer)
        buffer.writeStaticString(tick.isBuyerMaker ? "t\n" : "f\n")
    }

    /// `text` and a tab.
    private static func appendField(_ text: String, to buffer: inout ByteBuffer) {
        buffer.writeString(text)
        buffer.writeInteger(UInt8(ascii: "\t"))
    }

    /// The columns of a bar row, for `INSERT INTO resampled_data …`.
    static let barColumns = "(symbol, timeframe, ts, open, high, low, close, volume, quote_volume, trades, taker_buy_volume)"

    /// Recomputes the bars of `symbol` whose buckets hold trades from `first` through `last`; returns how many rows were
    /// written, and with `keepingBars` the bars themselves (one series per timeframe with any), else none.
    ///
    /// A bar's open and close are the prices of its first and last trade by (time, trade id): `min` and `max` of
    /// `ARRAY[ts, trade_id, price]` (arrays compare element by element), which need no sort per bar as
    /// `array_agg(price ORDER BY …)` does (about a fifth of the bars' cost).
    ///
    /// `timeframes` ascending: each from the bars of the coarsest earlier one it is a multiple of whose bars are
    /// `complete` (5m from 1m, 1m from 1s: a few rows per bar), or from the trades. Timeframes in `merged` are left as
    /// they are (``insertMerging(_:id:frames:keepingBars:_:_:)`` wrote them) and serve as sources. The stored bars of
    /// the span are deleted and the recomputed ones inserted (a plain insert costs about half of `INSERT … ON CONFLICT DO UPDATE`); the caller holds the
    /// symbol's advisory lock, which every writer of its bars takes.
    static func recomputeBars(of symbol: Symbol, id: Int32, from first: Timestamp, through last: Timestamp, timeframes: [Timeframe],
                              complete: Set<Timeframe>, skipping merged: Set<Timeframe> = [], keepingBars: Bool,
                              _ connection: PostgresConnection, _ logger: Logger) async throws -> (count: Int, bars: [BarSeries]) {
        var written = 0
        var kept: [BarSeries] = []
        // Kept bars come back as read (``barValues``); otherwise only their count.
        let returning = keepingBars ? "ts, open, high, low, close, volume, quote_volume, trades, taker_buy_volume" : "1"
        let result = keepingBars ? "SELECT \(barValues) FROM written ORDER BY ts" : "SELECT count(*) FROM written"
        for (index, timeframe) in timeframes.enumerated() where !merged.contains(timeframe) {
            let low = timeframe.barOpen(containing: first).milliseconds
            let high = timeframe.barOpen(containing: last).milliseconds + timeframe.span.milliseconds
            let span = timeframe.span.milliseconds
            try await connection.query("""
                DELETE FROM resampled_data WHERE symbol = \(symbol.name) AND timeframe = \(timeframe.description)
                    AND ts >= \(low) AND ts < \(high)
                """, logger: logger)
            let query: PostgresQuery
            if let finer = timeframes[..<index].last(where: { timeframe.isMultiple(of: $0) && complete.contains($0) }) {
                query = rollUp(symbol, to: timeframe, from: finer, low: low, high: high, returning: returning, result: result)
            } else {
                query = """
                    WITH written AS (
                        INSERT INTO resampled_data \(unescaped: Self.barColumns)
                        SELECT \(symbol.name), \(timeframe.description), ts - ts % \(span) AS open_time,
                               (min(ARRAY[ts, trade_id, price]))[3], max(price), min(price),
                               (max(ARRAY[ts, trade_id, price]))[3], sum(quantity), sum(price * quantity), count(*),
                               coalesce(sum(quantity) FILTER (WHERE NOT is_buyer_maker), 0)
                        FROM tick_rows
                        WHERE symbol_id = \(id) AND ts >= \(low) AND ts < \(high)
                        GROUP BY open_time
                        RETURNING \(unescaped: returning))
                    \(unescaped: result)
                    """
            }
            let rows = try await connection.query(query, logger: logger)
            if keepingBars {
                let bars = try await decodeBars(rows)
                written += bars.count
                if !bars.isEmpty { kept.append(BarSeries(symbol: symbol, timeframe: timeframe, bars: bars)) }
            } else {
                for try await count in rows.decode(Int64.self) { written += Int(count) }
            }
        }
        return (written, kept)
    }

    /// Inserts the `timeframe` bars of `symbol` opening in `low..<high` (only those opening at `opens`, when given), each
    /// rolled up from the stored `finer` bars inside it, and selects `result` from the rows written (`RETURNING
    /// returning`, as the CTE `written`).
    static func rollUp(_ symbol: Symbol, to timeframe: Timeframe, from finer: Timeframe, low: Int64, high: Int64,
                       opens: [Int64]? = nil, returning: String, result: String) -> PostgresQuery {
        // Integers of ours, written into the text.
        let only = opens.map { "AND ts - ts % \(timeframe.milliseconds) IN (\($0.map(String.init).joined(separator: ",")))" } ?? ""
        return """
        WITH written AS (
            INSERT INTO resampled_data \(unescaped: Self.barColumns)
            SELECT \(symbol.name), \(timeframe.description), ts - ts % \(timeframe.milliseconds) AS open_time,
                   (min(ARRAY[ts, open]))[2], max(high), min(low), (max(ARRAY[ts, close]))[2],
                   sum(volume), sum(quote_volume), sum(trades), sum(taker_buy_volume)
            FROM resampled_data
            WHERE symbol = \(symbol.name) AND timeframe = \(finer.description) AND ts >= \(low) AND ts < \(high) \(unescaped: only)
            GROUP BY open_time
            RETURNING \(unescaped: returning))
        \(unescaped: result)
        """
    }
}
