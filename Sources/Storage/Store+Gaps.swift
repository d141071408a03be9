import GRDB
import Market

extension Store {
    /// Recorded gaps, newest first, of one symbol or of all.
    public func gaps(for symbol: Symbol? = nil) throws -> [StreamGap] {
        try read("reading stream gaps") { db in
            var sql = "SELECT symbol, from_trade_id, to_trade_id, from_ts, to_ts, detected_at, filled_at FROM stream_gaps"
            var arguments: StatementArguments = []
            if let symbol {
                sql += " WHERE symbol = ?"
                arguments = [symbol.name]
            }
            sql += " ORDER BY from_ts DESC"
            return try Row.fetchAll(db, sql: sql, arguments: arguments).compactMap { row -> StreamGap? in
                guard let symbol = try? Symbol(parsing: row[0]) else { return nil }
                let filled: Int64? = row[6]
                return StreamGap(
                    symbol: symbol, fromTradeID: row[1], toTradeID: row[2],
                    fromTime: Timestamp(milliseconds: row[3]), toTime: Timestamp(milliseconds: row[4]),
                    detectedAt: Timestamp(milliseconds: row[5]), filledAt: filled.map(Timestamp.init(milliseconds:)))
            }
        }
    }
}
