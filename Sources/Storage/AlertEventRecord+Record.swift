import GRDB
import Market

/// `alert_events` rows (the id is the table's own; times as INTEGER milliseconds).
extension AlertEventRecord: FetchableRecord, PersistableRecord {
    public static let databaseTableName = "alert_events"

    public enum Columns {
        public static let source = Column("source")
        public static let rule = Column("rule")
        public static let subject = Column("symbol_pair")
        public static let state = Column("state")
        public static let time = Column("ts")
        public static let id = Column("id")
    }

    public init(row: Row) {
        self.init(source: row["source"], rule: row["rule"], symbolPair: row["symbol_pair"], metric: row["metric"], value: row["value"],
                  threshold: row["threshold"], state: row["state"], time: Timestamp(milliseconds: row["ts"]),
                  reportRun: row["report_run"])
    }

    public func encode(to container: inout PersistenceContainer) {
        container["source"] = source
        container["rule"] = rule
        container["symbol_pair"] = symbolPair
        container["metric"] = metric
        container["value"] = value
        container["threshold"] = threshold
        container["state"] = state
        container["ts"] = time.milliseconds
        container["report_run"] = reportRun
    }
}
