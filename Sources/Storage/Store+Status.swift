import Foundation
import GRDB
import Market

extension Store {
    /// Per-symbol counts and time spans of everything stored, symbols in name order.
    ///
    /// Uses the `(symbol_id, ts, …)` and `(symbol, timeframe, ts)` keys; counting is O(rows) but cheap.
    public func summaries() throws -> [SymbolSummary] {
        try read("summarising the database") { db in
            var result: [Symbol: SymbolSummary] = [:]
            func summary(_ name: String) -> SymbolSummary? {
                guard let symbol = try? Symbol(parsing: name) else { return nil }
                return result[symbol] ?? SymbolSummary(
                    symbol: symbol, tickCount: 0, firstTrade: nil, lastTrade: nil, barCounts: [], gapCount: 0, openGapCount: 0)
            }
            for row in try Row.fetchAll(db, sql: "SELECT id, name FROM symbols") {
                let name: String = row[1]
                guard var s = summary(name) else { continue }
                let stats = try Row.fetchOne(
                    db, sql: "SELECT COUNT(*), MIN(ts), MAX(ts) FROM tick_rows WHERE symbol_id = ?", arguments: [row[0] as Int64])
                s.tickCount = stats?[0] ?? 0
                guard s.tickCount > 0 else { continue }
                s.firstTrade = (stats?[1] as Int64?).map(Timestamp.init(milliseconds:))
                s.lastTrade = (stats?[2] as Int64?).map(Timestamp.init(milliseconds:))
                result[s.symbol] = s
            }
            let bars = try Row.fetchAll(db, sql: """
                SELECT symbol, timeframe, COUNT(*), MIN(ts), MAX(ts) FROM resampled_data GROUP BY symbol, timeframe
                """)
            for row in bars {
                let name: String = row[0]
                guard var s = summary(name), let timeframe = try? Timeframe(parsing: row[1]) else { continue }
                s.barCounts.append(BarCoverage(
                    timeframe: timeframe, count: row[2],
                    first: Timestamp(milliseconds: row[3]), last: Timestamp(milliseconds: row[4])))
                s.barCounts.sort { $0.timeframe < $1.timeframe }
                result[s.symbol] = s
            }
            let gaps = try Row.fetchAll(db, sql: """
                SELECT symbol, COUNT(*), SUM(filled_at IS NULL) FROM stream_gaps GROUP BY symbol
                """)
            for row in gaps {
                let name: String = row[0]
                guard var s = summary(name) else { continue }
                s.gapCount = row[1]
                s.openGapCount = row[2]
                result[s.symbol] = s
            }
            return result.values.sorted { $0.symbol < $1.symbol }
        }
    }

    /// Every symbol with trades or bars, in name order.
    public func symbols() throws -> [Symbol] {
        try read("listing symbols") { db in
            let traded = try String.fetchAll(db, sql: "SELECT name FROM symbols WHERE EXISTS (SELECT 1 FROM tick_rows WHERE symbol_id = symbols.id)")
            return Set(traded).union(try Self.barSymbolNames(in: db)).sorted().compactMap { try? Symbol(parsing: $0) }
        }
    }

    /// The timeframes with stored bars for `symbol`, finest first.
    ///
    /// O(timeframes × log n): probes the `(symbol, timeframe, ts)` key (a `DISTINCT` would read every bar).
    public func timeframes(for symbol: Symbol) throws -> [Timeframe] {
        try read("listing timeframes") { db in
            try Self.timeframeNames(of: symbol.name, in: db).compactMap { try? Timeframe(parsing: $0) }.sorted()
        }
    }

    /// The stored timeframe names of the symbol `name`, in text order, one key probe each.
    static func timeframeNames(of name: String, in db: Database) throws -> [String] {
        var names: [String] = []
        var next = try String.fetchOne(db, sql: "SELECT MIN(timeframe) FROM resampled_data WHERE symbol = ?", arguments: [name])
        while let timeframe = next {
            names.append(timeframe)
            next = try String.fetchOne(
                db, sql: "SELECT MIN(timeframe) FROM resampled_data WHERE symbol = ? AND timeframe > ?", arguments: [name, timeframe])
        }
        return names
    }

    /// Size in bytes of the database file plus its WAL, or `nil` in memory.
    public func fileSize() -> Int64? {
        guard let path else { return nil }
        var total: Int64 = 0
        for file in [path, path + "-wal"] {
            if let size = (try? FileManager.default.attributesOfItem(atPath: file))?[.size] as? NSNumber {
                total += size.int64Value
            }
        }
        return total
    }

    /// `PRAGMA integrity_check`: `["ok"]` for a sound database, otherwise SQLite's list of problems.
    public func integrityCheck() throws -> [String] {
        try read("checking integrity") { db in try String.fetchAll(db, sql: "PRAGMA integrity_check") }
    }
}

extension Store {
    /// The symbols with stored bars, without blocking the caller's thread (one probe per symbol of the `symbols`
    /// table and per symbol seen in the bars' key, skipping from one symbol to the next).
    public func symbolsWithBars() async throws -> [Symbol] {
        try await read("listing symbols") { db in
            try Self.barSymbolNames(in: db).compactMap { try? Symbol(parsing: $0) }
        }
    }

    /// The symbol names in `resampled_data`, in text order, one key probe each.
    static func barSymbolNames(in db: Database) throws -> [String] {
        var names: [String] = []
        var next = try String.fetchOne(db, sql: "SELECT MIN(symbol) FROM resampled_data")
        while let name = next {
            names.append(name)
            next = try String.fetchOne(db, sql: "SELECT MIN(symbol) FROM resampled_data WHERE symbol > ?", arguments: [name])
        }
        return names
    }
}

extension Store {
    /// What is stored per symbol, found by probing the keys instead of counting trades (the dashboard asks on every
    /// page load; ``summaries()`` counts every trade): first and last trade, each timeframe's bar count and span,
    /// open gaps. Symbols in name order.
    ///
    /// O(symbols × timeframes × log n) plus one count per timeframe of bars (a key range scan).
    public func catalog() throws -> [SymbolSummary] {
        try read("listing what is stored") { db in
            let names = Set(try String.fetchAll(db, sql: "SELECT name FROM symbols")).union(try Self.barSymbolNames(in: db))
            var result: [SymbolSummary] = []
            for name in names.sorted() {
                guard let symbol = try? Symbol(parsing: name) else { continue }
                var s = SymbolSummary(symbol: symbol, tickCount: 0, firstTrade: nil, lastTrade: nil, barCounts: [], gapCount: 0, openGapCount: 0)
                if let id = try Int64.fetchOne(db, sql: "SELECT id FROM symbols WHERE name = ?", arguments: [name]) {
                    let first = try Int64.fetchOne(db, sql: "SELECT MIN(ts) FROM tick_rows WHERE symbol_id = ?", arguments: [id])
                    let last = try Int64.fetchOne(db, sql: "SELECT MAX(ts) FROM tick_rows WHERE symbol_id = ?", arguments: [id])
                    s.firstTrade = first.map(Timestamp.init(milliseconds:))
                    s.lastTrade = last.map(Timestamp.init(milliseconds:))
                }
                for tf in try Self.timeframeNames(of: name, in: db) {
                    if let parsed = try? Timeframe(parsing: tf),
                       let row = try Row.fetchOne(db, sql: """
                           SELECT COUNT(*), MIN(ts), MAX(ts) FROM resampled_data WHERE symbol = ? AND timeframe = ?
                           """, arguments: [name, tf]),
                       let first: Int64 = row[1], let last: Int64 = row[2] {
                        s.barCounts.append(BarCoverage(timeframe: parsed, count: row[0], first: Timestamp(milliseconds: first),
                                                       last: Timestamp(milliseconds: last)))
                    }
                }
                s.barCounts.sort { $0.timeframe < $1.timeframe }
                s.openGapCount = try Int.fetchOne(
                    db, sql: "SELECT COUNT(*) FROM stream_gaps WHERE symbol = ? AND filled_at IS NULL", arguments: [name]) ?? 0
                result.append(s)
            }
            return result
        }
    }
}
