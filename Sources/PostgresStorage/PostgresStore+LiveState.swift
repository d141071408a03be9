import Market
import PostgresNIO

// What the live collector needs from the store when it starts: where each symbol's stored trades end, so that a hole
// across downtime (last stored id … first id received after the restart) is recorded as a gap (as `Store+LiveState`).

extension PostgresStore {
    /// The newest stored trade of each of `symbols` (latest time, then highest trade id); symbols without trades are
    /// absent.
    ///
    /// One probe of the end of the symbol's `(symbol_id, ts, trade_id)` index per symbol, whatever the table size.
    /// - Throws: ``PostgresStoreError/query(operation:message:)``.
    public func lastTicks(of symbols: [Symbol]) async throws -> [Symbol: Tick] {
        var result: [Symbol: Tick] = [:]
        for symbol in symbols {
            let last = try await collect("reading the last stored trade of \(symbol)", """
                SELECT \(unescaped: Self.tradeValues) FROM tick_rows
                WHERE symbol_id = (SELECT id FROM symbols WHERE name = \(symbol.name))
                ORDER BY ts DESC, trade_id DESC LIMIT 1
                """) { try Self.tick(of: symbol, from: $0) }
            result[symbol] = last.first
        }
        return result
    }
}
