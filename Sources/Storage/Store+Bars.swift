import GRDB
import Market

extension Store {
    /// The bars of `symbol` at `timeframe` whose open time lies in `range`, ascending.
    ///
    /// One indexed range scan; O(k) in the number of bars returned.
    /// - Throws: ``StoreError/sqlite(operation:message:)``.
    public func bars(for symbol: Symbol, timeframe: Timeframe, in range: TimeRange) throws -> BarSeries {
        let bars = try read("reading bars") { db in
            try BarRow.fetchAll(db, BarRow.select(symbol: symbol, timeframe: timeframe, range: range)).map(\.bar)
        }
        return BarSeries(symbol: symbol, timeframe: timeframe, bars: bars)
    }

    /// The bars of `symbol` at `timeframe` in `range`, without blocking the caller's thread.
    public func bars(for symbol: Symbol, timeframe: Timeframe, in range: TimeRange) async throws -> BarSeries {
        let bars = try await read("reading bars") { db in
            try BarRow.fetchAll(db, BarRow.select(symbol: symbol, timeframe: timeframe, range: range)).map(\.bar)
        }
        return BarSeries(symbol: symbol, timeframe: timeframe, bars: bars)
    }

    /// The most recent bar of `symbol` at `timeframe`, if any.
    public func lastBar(for symbol: Symbol, timeframe: Timeframe) throws -> Bar? {
        try read("reading the last bar") { db in
            try BarRow.fetchOne(
                db,
                sql: "SELECT \(BarRow.columns) FROM resampled_data WHERE symbol = ? AND timeframe = ? ORDER BY ts DESC LIMIT 1",
                arguments: [symbol.name, timeframe.description])?.bar
        }
    }

    /// Calls `body` for each bar of `symbol` at `timeframe` in `range`, ascending, without loading them all.
    ///
    /// Memory stays constant whatever the number of bars (a database cursor).
    public func forEachBar(of symbol: Symbol, timeframe: Timeframe, in range: TimeRange, _ body: (Bar) throws -> Void) throws {
        try read("reading bars") { db in
            let cursor = try BarRow.fetchCursor(db, BarRow.select(symbol: symbol, timeframe: timeframe, range: range))
            while let row = try cursor.next() { try body(row.bar) }
        }
    }
}

extension Store {
    /// The last bar of `symbol` at `timeframe` opening before `time`, if any.
    public func lastBar(for symbol: Symbol, timeframe: Timeframe, before time: Timestamp) throws -> Bar? {
        try read("reading a bar") { db in
            try BarRow.fetchOne(
                db,
                sql: "SELECT \(BarRow.columns) FROM resampled_data WHERE symbol = ? AND timeframe = ? AND ts < ? ORDER BY ts DESC LIMIT 1",
                arguments: [symbol.name, timeframe.description, time.milliseconds])?.bar
        }
    }
}

extension Store {
    /// The newest bar of each symbol at each timeframe, in one read that does not block the caller's thread (the
    /// live feed polls it several times a second). Missing combinations are absent.
    public func lastBars(of symbols: [Symbol], timeframes: [Timeframe]) async throws -> [(symbol: Symbol, timeframe: Timeframe, bar: Bar)] {
        try await read("reading the last bars") { db in
            let statement = try db.cachedStatement(
                sql: "SELECT \(BarRow.columns) FROM resampled_data WHERE symbol = ? AND timeframe = ? ORDER BY ts DESC LIMIT 1")
            var out: [(symbol: Symbol, timeframe: Timeframe, bar: Bar)] = []
            for symbol in symbols {
                for timeframe in timeframes {
                    if let row = try BarRow.fetchOne(statement, arguments: [symbol.name, timeframe.description]) {
                        out.append((symbol, timeframe, row.bar))
                    }
                }
            }
            return out
        }
    }
}
