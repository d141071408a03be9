import Market
import PostgresNIO
import Storage

extension PostgresStore {
    /// Per-symbol counts and time spans of everything stored, symbols in name order (`pairbook status`), as the SQLite
    /// store's `summaries()`.
    ///
    /// Counting is O(rows) on the `(symbol_id, ts, trade_id)` and `(symbol, timeframe, ts)` indexes.
    /// - Throws: ``PostgresStoreError/query(operation:message:)``.
    public func summaries() async throws -> [SymbolSummary] {
        var result: [Symbol: SymbolSummary] = [:]
        func summary(_ name: String) -> SymbolSummary? {
            guard let symbol = try? Symbol(parsing: name) else { return nil }
            return result[symbol] ?? SymbolSummary(
                symbol: symbol, tickCount: 0, firstTrade: nil, lastTrade: nil, barCounts: [], gapCount: 0, openGapCount: 0)
        }
        let trades = try await collect("summarising trades", """
            SELECT symbols.name, stats.n, stats.first, stats.last FROM symbols
            CROSS JOIN LATERAL (SELECT count(*) AS n, min(ts) AS first, max(ts) AS last FROM tick_rows
                                WHERE symbol_id = symbols.id) AS stats
            WHERE stats.n > 0
            """) { try $0.decode((String, Int64, Int64?, Int64?).self) }
        for (name, count, first, last) in trades {
            guard var s = summary(name) else { continue }
            s.tickCount = Int(count)
            s.firstTrade = first.map(Timestamp.init(milliseconds:))
            s.lastTrade = last.map(Timestamp.init(milliseconds:))
            result[s.symbol] = s
        }
        let bars = try await collect("summarising bars", """
            SELECT symbol, timeframe, count(*), min(ts), max(ts) FROM resampled_data GROUP BY symbol, timeframe
            """) { try $0.decode((String, String, Int64, Int64, Int64).self) }
        for (name, frame, count, first, last) in bars {
            guard var s = summary(name), let timeframe = try? Timeframe(parsing: frame) else { continue }
            s.barCounts.append(BarCoverage(timeframe: timeframe, count: Int(count), first: Timestamp(milliseconds: first),
                                           last: Timestamp(milliseconds: last)))
            s.barCounts.sort { $0.timeframe < $1.timeframe }
            result[s.symbol] = s
        }
        let gaps = try await collect("summarising stream gaps", """
            SELECT symbol, count(*), count(*) FILTER (WHERE filled_at IS NULL) FROM stream_gaps GROUP BY symbol
            """) { try $0.decode((String, Int64, Int64).self) }
        for (name, count, open) in gaps {
            guard var s = summary(name) else { continue }
            s.gapCount = Int(count)
            s.openGapCount = Int(open)
            result[s.symbol] = s
        }
        return result.values.sorted { $0.symbol < $1.symbol }
    }

    /// The database's size on disk, in bytes (`pg_database_size`).
    /// - Throws: ``PostgresStoreError/query(operation:message:)``.
    public func databaseSize() async throws -> Int64 {
        try await collect("reading the database size", "SELECT pg_database_size(current_database())") {
            try $0.decode(Int64.self)
        }.first ?? 0
    }
}
