import GRDB
import Market

/// `stream_gaps` rows: times as INTEGER milliseconds, the symbol by name.
extension StreamGap: FetchableRecord, PersistableRecord {
    public static let databaseTableName = "stream_gaps"

    public enum Columns {
        public static let symbol = Column("symbol")
        public static let fromTradeID = Column("from_trade_id")
        public static let fromTime = Column("from_ts")
        public static let filledAt = Column("filled_at")
    }

    /// - Throws: when the stored symbol is not a valid name.
    public init(row: Row) throws {
        self.init(symbol: try Symbol(parsing: row["symbol"]), fromTradeID: row["from_trade_id"], toTradeID: row["to_trade_id"],
                  fromTime: Timestamp(milliseconds: row["from_ts"]), toTime: Timestamp(milliseconds: row["to_ts"]),
                  detectedAt: Timestamp(milliseconds: row["detected_at"]),
                  filledAt: (row["filled_at"] as Int64?).map(Timestamp.init(milliseconds:)))
    }

    public func encode(to container: inout PersistenceContainer) {
        container["symbol"] = symbol.name
        container["from_trade_id"] = fromTradeID
        container["to_trade_id"] = toTradeID
        container["from_ts"] = fromTime.milliseconds
        container["to_ts"] = toTime.milliseconds
        container["detected_at"] = detectedAt.milliseconds
        container["filled_at"] = filledAt?.milliseconds
    }
}
