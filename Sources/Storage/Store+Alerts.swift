import GRDB
import Market

/// One row of `alert_events`: an alert (rule on a pair or symbol) entering a state at a time.
public struct AlertEventRecord: Sendable, Hashable {
    /// Where the rule is defined (``AlertSource``): an alert is its source, rule name and subject, so two scripts'
    /// rules of the same name keep separate states.
    public var source: String
    /// The rule name.
    public var rule: String
    /// The pair (`BTCUSDT/ETHUSDT`) or symbol evaluated.
    public var symbolPair: String
    /// The metric name (`z_score`, …).
    public var metric: String
    /// The metric value at the transition (`nil` for `nodata`).
    public var value: Double?
    /// The rule's threshold.
    public var threshold: Double
    /// `normal`, `pending`, `firing`, `resolved` or `nodata`.
    public var state: String
    /// When the state was entered, UTC.
    public var time: Timestamp
    /// The `report_runs.id` of the run that recorded it.
    public var reportRun: Int64?

    /// Creates a row value.
    public init(source: String, rule: String, symbolPair: String, metric: String, value: Double?, threshold: Double, state: String,
                time: Timestamp, reportRun: Int64?) {
        self.source = source
        self.rule = rule
        self.symbolPair = symbolPair
        self.metric = metric
        self.value = value
        self.threshold = threshold
        self.state = state
        self.time = time
        self.reportRun = reportRun
    }
}

extension Store {
    /// The stored transitions of one alert strictly before `time`, oldest first (at most the last `limit`).
    ///
    /// Used to continue an alert's state at the start of a report window. Uses the `(source, rule, symbol_pair, ts)` index.
    public func alertEvents(source: String, rule: String, symbolPair: String, before time: Timestamp,
                            limit: Int = 20) throws -> [AlertEventRecord] {
        try read("reading alert events") { db in
            let C = AlertEventRecord.Columns.self
            return try Array(AlertEventRecord
                .filter(C.source == source && C.rule == rule && C.subject == symbolPair && C.time < time.milliseconds)
                .order(C.time.desc, C.id.desc).limit(limit)
                .fetchAll(db).reversed())
        }
    }

    /// Every stored transition in `range`, oldest first.
    public func alertEvents(in range: TimeRange) throws -> [AlertEventRecord] {
        try read("reading alert events") { db in
            let C = AlertEventRecord.Columns.self
            return try AlertEventRecord.filter(C.time >= range.start.milliseconds && C.time < range.end.milliseconds)
                .order(C.time, C.id).fetchAll(db)
        }
    }

    /// Stores transitions, skipping any already stored with the same source, rule, subject, state and time (so re-running a
    /// report for the same window records nothing twice).
    ///
    /// - Returns: how many rows were new.
    @discardableResult
    public func recordAlertEvents(_ events: [AlertEventRecord]) throws -> Int {
        guard !events.isEmpty else { return 0 }
        return try write { tx in
            // Cached statements: a day of one-second bars can carry thousands of pending/normal transitions.
            let exists = try tx.database.cachedStatement(sql: """
                SELECT EXISTS (SELECT 1 FROM alert_events WHERE source = ? AND rule = ? AND symbol_pair = ? AND state = ? AND ts = ?)
                """)
            var added = 0
            for e in events {
                let stored = try Bool.fetchOne(exists, arguments: [e.source, e.rule, e.symbolPair, e.state, e.time.milliseconds]) ?? false
                if stored { continue }
                try e.insert(tx.database)
                added += 1
            }
            return added
        }
    }
}

// MARK: - Dashboard reads

extension Store {
    /// The newest `limit` transitions of every alert, newest first.
    public func recentAlertEvents(limit: Int) throws -> [AlertEventRecord] {
        try read("reading alert events") { db in
            let C = AlertEventRecord.Columns.self
            return try AlertEventRecord.order(C.time.desc, C.id.desc).limit(max(0, limit)).fetchAll(db)
        }
    }

    /// The newest transition of each alert (source, rule and subject): its current state.
    public func currentAlertStates() throws -> [AlertEventRecord] {
        try read("reading alert states") { db in
            // SQLite takes the bare columns from the row holding MAX(ts).
            try AlertEventRecord.fetchAll(db, sql: """
                SELECT source, rule, symbol_pair, metric, value, threshold, state, MAX(ts) AS ts, report_run FROM alert_events
                GROUP BY source, rule, symbol_pair ORDER BY source, rule, symbol_pair
                """)
        }
    }
}

/// The `source` of an alert: where its rule is defined.
public enum AlertSource {
    /// A rule of report script `name` (its front matter or its alerts file), in reports and live.
    public static func script(_ name: String) -> String { "script:\(name)" }
    /// A rule made on the dashboard (table `alert_rules`; names are unique there).
    public static let dashboard = "dashboard"
}
