import Market
import PostgresNIO

extension PostgresStore {
    /// Stores `bars` of `interval` (imported klines of `symbol`), replacing stored bars of the same open time, and
    /// recomputes each coarser timeframe of `timeframes` that is a multiple of `interval` over the buckets the klines
    /// fall into, from every stored `interval` bar there (not merged incrementally): importing files in any order, or
    /// one twice, gives the same bars. One transaction under the symbol's advisory lock, which writers of trades take.
    ///
    /// - Returns: the bar rows written (klines and roll-ups).
    /// - Throws: ``PostgresStoreError/query(operation:message:)``; nothing of the batch is stored then.
    public func writeKlines(_ bars: [Bar], interval: Timeframe, of symbol: Symbol, timeframes: [Timeframe]) async throws -> Int {
        guard let first = bars.map(\.openTime).min(), let last = bars.map(\.openTime).max() else { return 0 }
        let logger = self.logger
        let rollups = timeframes.filter { $0.isMultiple(of: interval) && $0 > interval }.sorted()
        return try await transaction("storing \(bars.count) \(interval) klines of \(symbol)") { connection in
            _ = try await Self.symbolID(symbol, locking: true, connection, logger)
            try await Self.upsertBars(bars, of: symbol, timeframe: interval, connection, logger)
            var written = bars.count
            for timeframe in rollups {
                // Only the buckets the klines fall into: a bucket between them may hold bars built from trades alone.
                let opens = Set(bars.map { timeframe.barOpen(containing: $0.openTime).milliseconds }).sorted()
                let low = timeframe.barOpen(containing: first).milliseconds
                let high = timeframe.barOpen(containing: last).milliseconds + timeframe.milliseconds
                try await connection.query("""
                    DELETE FROM resampled_data WHERE symbol = \(symbol.name) AND timeframe = \(timeframe.description)
                        AND ts = ANY(\(opens))
                    """, logger: logger)
                let rows = try await connection.query(
                    Self.rollUp(symbol, to: timeframe, from: interval, low: low, high: high, opens: opens, returning: "1",
                                result: "SELECT count(*) FROM written"), logger: logger)
                for try await count in rows.decode(Int64.self) { written += Int(count) }
            }
            return written
        }
    }
}
