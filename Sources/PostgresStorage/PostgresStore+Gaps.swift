import Market
import PostgresNIO
import Storage

// Holes in the live collector's trade-id sequences (`stream_gaps`), as on the SQLite store (`Store+Gaps`,
// `StoreTransaction`): recorded with the trades after them, marked filled with the trades that complete them.

extension PostgresStore {
    /// Recorded gaps, newest first (by the time of the trade before the hole), of one symbol or of all.
    ///
    /// - Throws: ``PostgresStoreError/query(operation:message:)``.
    public func gaps(for symbol: Symbol? = nil) async throws -> [StreamGap] {
        let gaps = try await collect("reading stream gaps", """
            SELECT symbol, from_trade_id, to_trade_id, from_ts, to_ts, detected_at, filled_at FROM stream_gaps
            WHERE \(symbol?.name)::text IS NULL OR symbol = \(symbol?.name) ORDER BY from_ts DESC, id DESC
            """) { row -> StreamGap? in
            let (name, fromID, toID, fromTime, toTime, detected, filled) = try row.decode(
                (String, Int64, Int64, Int64, Int64, Int64, Int64?).self)
            // A row whose symbol no longer parses is skipped, not fatal (as on SQLite).
            guard let symbol = try? Symbol(parsing: name) else { return nil }
            return StreamGap(symbol: symbol, fromTradeID: fromID, toTradeID: toID, fromTime: Timestamp(milliseconds: fromTime),
                             toTime: Timestamp(milliseconds: toTime), detectedAt: Timestamp(milliseconds: detected),
                             filledAt: filled.map(Timestamp.init(milliseconds:)))
        }
        return gaps.compactMap { $0 }
    }

    /// Records `gaps` (each once: a batch recorded again leaves one row per hole) and marks `filled` gaps filled, on
    /// `connection` inside the caller's transaction.
    static func recordGaps(_ gaps: [StreamGap], filled: [(gap: StreamGap, at: Timestamp)], _ connection: PostgresConnection,
                      _ logger: Logger) async throws {
        for gap in gaps {
            try await connection.query("""
                INSERT INTO stream_gaps (symbol, from_trade_id, to_trade_id, from_ts, to_ts, detected_at, filled_at)
                SELECT \(gap.symbol.name), \(gap.fromTradeID), \(gap.toTradeID), \(gap.fromTime.milliseconds), \(gap.toTime.milliseconds),
                       \(gap.detectedAt.milliseconds), \(gap.filledAt?.milliseconds)
                WHERE NOT EXISTS (SELECT 1 FROM stream_gaps WHERE symbol = \(gap.symbol.name)
                                  AND from_trade_id = \(gap.fromTradeID) AND to_trade_id = \(gap.toTradeID))
                """, logger: logger)
        }
        for (gap, at) in filled {
            try await connection.query("""
                UPDATE stream_gaps SET filled_at = \(at.milliseconds)
                WHERE symbol = \(gap.symbol.name) AND from_trade_id = \(gap.fromTradeID) AND filled_at IS NULL
                """, logger: logger)
        }
    }
}
