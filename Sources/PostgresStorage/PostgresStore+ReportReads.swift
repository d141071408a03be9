import Market
import PostgresNIO
import Storage

// What a report run reads and writes besides bars and `report_runs` (`PostgresStore+Reports`): the symbols, and the
// alert history it continues and extends, as on the SQLite store (`Store+Status`, `Store+Alerts`).

extension PostgresStore {
    /// Every symbol with trades or bars, sorted by name (the bar symbols by a loose index scan, ``symbolsWithBars()``).
    /// - Throws: ``PostgresStoreError/query(operation:message:)``.
    public func symbols() async throws -> [Symbol] {
        let traded = try await collect("listing symbols", """
            SELECT name FROM symbols WHERE EXISTS (SELECT 1 FROM tick_rows WHERE symbol_id = symbols.id)
            """) { try $0.decode(String.self) }.compactMap { try? Symbol(parsing: $0) }  // a name that no longer parses is skipped, as on SQLite
        return Set(traded).union(try await symbolsWithBars()).sorted()
    }

    /// The last `limit` stored transitions of one alert strictly before `time`, oldest first.
    public func alertEvents(source: String, rule: String, symbolPair: String, before time: Timestamp,
                            limit: Int = 20) async throws -> [AlertEventRecord] {
        let newest = try await collect("reading alert events", """
            SELECT \(unescaped: Self.alertEventColumns) FROM alert_events
            WHERE source = \(source) AND rule = \(rule) AND symbol_pair = \(symbolPair) AND ts < \(time.milliseconds)
            ORDER BY ts DESC, id DESC LIMIT \(Int64(max(0, limit)))
            """, Self.alertEvent)
        return newest.reversed()
    }

    /// Stores transitions, skipping any already stored with the same source, rule, subject, state and time, in one
    /// transaction. Returns how many rows were new.
    @discardableResult
    public func recordAlertEvents(_ events: [AlertEventRecord]) async throws -> Int {
        guard !events.isEmpty else { return 0 }
        return try await transaction("recording alert events") { connection in
            var added = 0
            for e in events {
                let rows = try await connection.query("""
                    INSERT INTO alert_events (source, rule, symbol_pair, metric, value, threshold, state, ts, report_run)
                    SELECT \(e.source), \(e.rule), \(e.symbolPair), \(e.metric), \(e.value), \(e.threshold), \(e.state),
                           \(e.time.milliseconds), \(e.reportRun)
                    WHERE NOT EXISTS (SELECT 1 FROM alert_events WHERE source = \(e.source) AND rule = \(e.rule)
                                      AND symbol_pair = \(e.symbolPair) AND state = \(e.state) AND ts = \(e.time.milliseconds))
                    RETURNING id
                    """, logger: logger)
                for try await _ in rows { added += 1 }
            }
            return added
        }
    }

    /// The alert event of a row selecting source, rule, symbol_pair, metric, value, threshold, state, ts, report_run.
    static func alertEvent(_ row: PostgresRow) throws -> AlertEventRecord {
        let (source, rule, subject, metric, value, threshold, state, ts, run) = try row.decode(
            (String, String, String, String, Double?, Double, String, Int64, Int64?).self)
        return AlertEventRecord(source: source, rule: rule, symbolPair: subject, metric: metric, value: value, threshold: threshold,
                                state: state, time: Timestamp(milliseconds: ts), reportRun: run)
    }
}
