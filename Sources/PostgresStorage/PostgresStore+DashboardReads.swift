import Market
import PostgresNIO
import Storage

// What the dashboard reads and writes besides the report's part (`PostgresStore+ReportReads`), as on the SQLite store:
// the catalog of what is stored, the newest bars and trades, bar counts, trades in a range, the dashboard's alert rules,
// the alert states and history, and the live analytics rows.

extension PostgresStore {
    // MARK: - What is stored

    /// Per symbol (name order): first and last trade, each timeframe's bar count and span, open gaps.
    public func catalog() async throws -> [SymbolSummary] {
        var names = Set(try await collect("listing what is stored", "SELECT name FROM symbols") { try $0.decode(String.self) })
        names.formUnion(try await symbolsWithBars().map(\.name))
        var result: [SymbolSummary] = []
        for name in names.sorted() {
            guard let symbol = try? Symbol(parsing: name) else { continue }
            var s = SymbolSummary(symbol: symbol, tickCount: 0, firstTrade: nil, lastTrade: nil, barCounts: [], gapCount: 0, openGapCount: 0)
            let span = try await collect("listing what is stored", """
                SELECT min(ts), max(ts) FROM tick_rows WHERE symbol_id = (SELECT id FROM symbols WHERE name = \(name))
                """) { try $0.decode((Int64?, Int64?).self) }.first
            s.firstTrade = span?.0.map(Timestamp.init(milliseconds:))
            s.lastTrade = span?.1.map(Timestamp.init(milliseconds:))
            for timeframe in try await timeframes(for: symbol) {
                let coverage = try await collect("listing what is stored", """
                    SELECT count(*), min(ts), max(ts) FROM resampled_data WHERE symbol = \(name) AND timeframe = \(timeframe.description)
                    """) { try $0.decode((Int64, Int64?, Int64?).self) }.first
                if case let (count, first?, last?)? = coverage {
                    s.barCounts.append(BarCoverage(timeframe: timeframe, count: Int(count), first: Timestamp(milliseconds: first),
                                                   last: Timestamp(milliseconds: last)))
                }
            }
            s.openGapCount = Int(try await collect("listing what is stored", """
                SELECT count(*) FROM stream_gaps WHERE symbol = \(name) AND filled_at IS NULL
                """) { try $0.decode(Int64.self) }.first ?? 0)
            result.append(s)
        }
        return result
    }

    /// The symbols with stored bars, in name order (a loose index scan of the bars' key, one probe per symbol).
    public func symbolsWithBars() async throws -> [Symbol] {
        try await collect("listing symbols", """
            WITH RECURSIVE bar_symbols(name) AS (
                (SELECT symbol FROM resampled_data ORDER BY symbol LIMIT 1)
                UNION ALL
                SELECT (SELECT symbol FROM resampled_data WHERE symbol > b.name ORDER BY symbol LIMIT 1)
                FROM bar_symbols b WHERE b.name IS NOT NULL)
            SELECT name FROM bar_symbols WHERE name IS NOT NULL
            """) { try $0.decode(String.self) }.compactMap { try? Symbol(parsing: $0) }
    }

    /// The timeframes with stored bars for `symbol`, finest first (one key probe per timeframe).
    public func timeframes(for symbol: Symbol) async throws -> [Timeframe] {
        try await collect("listing timeframes", """
            WITH RECURSIVE frames(name) AS (
                (SELECT timeframe FROM resampled_data WHERE symbol = \(symbol.name) ORDER BY timeframe LIMIT 1)
                UNION ALL
                SELECT (SELECT timeframe FROM resampled_data WHERE symbol = \(symbol.name) AND timeframe > f.name ORDER BY timeframe LIMIT 1)
                FROM frames f WHERE f.name IS NOT NULL)
            SELECT name FROM frames WHERE name IS NOT NULL
            """) { try $0.decode(String.self) }.compactMap { try? Timeframe(parsing: $0) }.sorted()
    }

    /// A number that changes whenever anything is written to the server (its write-ahead log position): equal values
    /// mean nothing was written in between. Coarser than SQLite's `data_version` (any database of the server counts), so
    /// a cache keyed on it is at worst recomputed more often, never stale.
    public func changeCounter() async throws -> Int64 {
        let position = try await collect("reading the write-ahead log position", "SELECT pg_current_wal_insert_lsn()::text") {
            try $0.decode(String.self)
        }.first ?? "0/0"
        // "16/B374D848": high and low 32-bit halves in hex.
        let parts = position.split(separator: "/").map { Int64($0, radix: 16) ?? 0 }
        return parts.count == 2 ? parts[0] << 32 | parts[1] : 0
    }

    // MARK: - Bars and trades

    /// The newest bar of `symbol` at `timeframe` (opening before `time` when given), if any.
    public func lastBar(for symbol: Symbol, timeframe: Timeframe, before time: Timestamp? = nil) async throws -> Bar? {
        try await barRows("reading the last bar of \(symbol)", """
            SELECT \(unescaped: Self.barValues) FROM resampled_data
            WHERE symbol = \(symbol.name) AND timeframe = \(timeframe.description) AND ts < \(time?.milliseconds ?? .max)
            ORDER BY ts DESC LIMIT 1
            """).first
    }

    /// The newest bar of each of `symbols` at each of `timeframes`; missing combinations are absent. One query (a key
    /// probe per combination): the live feed asks several times a second.
    public func lastBars(of symbols: [Symbol], timeframes: [Timeframe]) async throws -> [(symbol: Symbol, timeframe: Timeframe, bar: Bar)] {
        guard !symbols.isEmpty, !timeframes.isEmpty else { return [] }
        let rows = try await collect("reading the last bars", """
            SELECT s.symbol, t.timeframe, b.* FROM unnest(\(symbols.map(\.name))::text[]) WITH ORDINALITY AS s(symbol, i)
            CROSS JOIN unnest(\(timeframes.map(\.description))::text[]) WITH ORDINALITY AS t(timeframe, j)
            CROSS JOIN LATERAL (SELECT \(unescaped: Self.barValues) FROM resampled_data r
                                WHERE r.symbol = s.symbol AND r.timeframe = t.timeframe ORDER BY r.ts DESC LIMIT 1) b
            ORDER BY s.i, t.j
            """) { row -> (String, String, Bar) in
            let (symbol, timeframe, ts, open, high, low, close, volume, quote, trades, taker) = try row.decode(
                (String, String, Int64, Double, Double, Double, Double, Double, Double, Int64, Double).self)
            return (symbol, timeframe, Bar(openTime: Timestamp(milliseconds: ts), open: open, high: high, low: low, close: close,
                                           volume: volume, quoteVolume: quote, trades: trades, takerBuyVolume: taker))
        }
        return rows.compactMap { name, frame, bar in
            guard let symbol = try? Symbol(parsing: name), let timeframe = try? Timeframe(parsing: frame) else { return nil }
            return (symbol, timeframe, bar)
        }
    }

    /// How many bars of `symbol` at `timeframe` open in `range`.
    public func barCount(for symbol: Symbol, timeframe: Timeframe, in range: TimeRange) async throws -> Int {
        Int(try await collect("counting bars of \(symbol)", """
            SELECT count(*) FROM resampled_data WHERE symbol = \(symbol.name) AND timeframe = \(timeframe.description)
              AND ts >= \(range.start.milliseconds) AND ts < \(range.end.milliseconds)
            """) { try $0.decode(Int64.self) }.first ?? 0)
    }

    /// The open times and closes of `symbol`'s bars at `timeframe` opening in `range`, ascending.
    public func closes(for symbol: Symbol, timeframe: Timeframe, in range: TimeRange) async throws -> CloseSeries {
        // Two columns as arrays, as ``bars(for:timeframe:in:)`` reads (both legs' day of 1 s closes: 316–337 ms before,
        // 200–213 after).
        let columns = try await collect("reading closes of \(symbol)", """
            SELECT array_agg(ts), array_agg(close) FROM (
                SELECT ts, close::float8 FROM resampled_data WHERE symbol = \(symbol.name) AND timeframe = \(timeframe.description)
                  AND ts >= \(range.start.milliseconds) AND ts < \(range.end.milliseconds) ORDER BY ts) closes
            """) { try $0.decode(([Int64]?, [Double]?).self) }.first
        let (times, closes) = (columns?.0 ?? [], columns?.1 ?? [])
        guard times.count == closes.count else {
            throw PostgresStoreError.query(operation: "reading closes of \(symbol)", message: "columns of different lengths")
        }
        return CloseSeries(symbol: symbol, timeframe: timeframe, openTimes: times.map(Timestamp.init(milliseconds:)), closes: closes)
    }

    /// How many trades of `symbol` lie in `range`.
    public func tickCount(of symbol: Symbol, in range: TimeRange) async throws -> Int {
        Int(try await collect("counting trades of \(symbol)", """
            SELECT count(*) FROM tick_rows WHERE symbol_id = (SELECT id FROM symbols WHERE name = \(symbol.name))
              AND ts >= \(range.start.milliseconds) AND ts < \(range.end.milliseconds)
            """) { try $0.decode(Int64.self) }.first ?? 0)
    }

    /// The trades of `symbol` in `range` after `after` (time, then trade id), ascending by time then id, at most `limit`:
    /// one page of a keyset walk over a range.
    public func trades(of symbol: Symbol, in range: TimeRange, after: (time: Timestamp, tradeID: Int64)?, limit: Int) async throws -> [Tick] {
        let (time, id) = (after?.time.milliseconds ?? range.start.milliseconds - 1, after?.tradeID ?? .max)
        return try await collect("reading trades of \(symbol)", """
            SELECT \(unescaped: Self.tradeValues) FROM tick_rows
            WHERE symbol_id = (SELECT id FROM symbols WHERE name = \(symbol.name))
              AND ts >= \(range.start.milliseconds) AND ts < \(range.end.milliseconds) AND (ts, trade_id) > (\(time), \(id))
            ORDER BY ts, trade_id LIMIT \(Int64(limit))
            """) { try Self.tick(of: symbol, from: $0) }
    }

    // MARK: - Alerts

    /// Every stored dashboard rule, by id.
    public func alertRules() async throws -> [AlertRuleRecord] {
        try await collect("reading alert rules", "SELECT \(unescaped: Self.alertRuleColumns) FROM alert_rules ORDER BY id", Self.alertRule)
    }

    /// Stores a new rule. - Throws: ``Storage/StoreError/duplicateAlertRule(name:)`` when a rule of that name exists.
    public func insertAlertRule(name: String, definition: String, enabled: Bool, at time: Timestamp) async throws -> AlertRuleRecord {
        let inserted = try await collect("storing an alert rule", """
            INSERT INTO alert_rules (name, definition, enabled, created_at, updated_at)
            VALUES (\(name), \(definition), \(enabled), \(time.milliseconds), \(time.milliseconds))
            ON CONFLICT (name) DO NOTHING RETURNING \(unescaped: Self.alertRuleColumns)
            """, Self.alertRule)
        guard let record = inserted.first else { throw StoreError.duplicateAlertRule(name: name) }
        return record
    }

    /// Replaces the rule with `id`; nil when there is none. - Throws: ``Storage/StoreError/duplicateAlertRule(name:)``.
    public func updateAlertRule(id: Int64, name: String, definition: String, enabled: Bool, at time: Timestamp) async throws -> AlertRuleRecord? {
        let taken = try await collect("storing an alert rule", """
            SELECT EXISTS (SELECT 1 FROM alert_rules WHERE name = \(name) AND id <> \(id))
            """) { try $0.decode(Bool.self) }.first ?? false
        if taken { throw StoreError.duplicateAlertRule(name: name) }
        return try await collect("storing an alert rule", """
            UPDATE alert_rules SET name = \(name), definition = \(definition), enabled = \(enabled), updated_at = \(time.milliseconds)
            WHERE id = \(id) RETURNING \(unescaped: Self.alertRuleColumns)
            """, Self.alertRule).first
    }

    /// Deletes the rule with `id` (its history stays); whether one was deleted.
    @discardableResult
    public func deleteAlertRule(id: Int64) async throws -> Bool {
        try await !collect("deleting an alert rule", "DELETE FROM alert_rules WHERE id = \(id) RETURNING id") { try $0.decode(Int64.self) }
            .isEmpty
    }

    /// The newest `limit` transitions of every alert, newest first.
    public func recentAlertEvents(limit: Int) async throws -> [AlertEventRecord] {
        try await collect("reading alert events", """
            SELECT \(unescaped: Self.alertEventColumns) FROM alert_events ORDER BY ts DESC, id DESC LIMIT \(Int64(max(0, limit)))
            """, Self.alertEvent)
    }

    /// The newest transition of each alert (source, rule and subject), in that order.
    public func currentAlertStates() async throws -> [AlertEventRecord] {
        try await collect("reading alert states", """
            SELECT DISTINCT ON (source, rule, symbol_pair) \(unescaped: Self.alertEventColumns) FROM alert_events
            ORDER BY source, rule, symbol_pair, ts DESC, id ASC
            """, Self.alertEvent)
    }

    /// Every stored transition in `range`, oldest first.
    public func alertEvents(in range: TimeRange) async throws -> [AlertEventRecord] {
        try await collect("reading alert events", """
            SELECT \(unescaped: Self.alertEventColumns) FROM alert_events
            WHERE ts >= \(range.start.milliseconds) AND ts < \(range.end.milliseconds) ORDER BY ts, id
            """, Self.alertEvent)
    }

    /// Stores one analysis run's rows of `symbolPair` at `timeframe`, replacing stored rows between its first and last.
    @discardableResult
    public func replaceAnalyticsResults(_ rows: [AnalyticsResultRecord], symbolPair: String, timeframe: Timeframe) async throws -> Int {
        guard let first = rows.map(\.time).min(), let last = rows.map(\.time).max() else { return 0 }
        return try await transaction("storing analytics results") { connection in
            try await connection.query("""
                DELETE FROM analytics_results WHERE symbol_pair = \(symbolPair) AND timeframe = \(timeframe.description)
                  AND ts >= \(first.milliseconds) AND ts <= \(last.milliseconds)
                """, logger: logger)
            for r in rows {
                try await connection.query("""
                    INSERT INTO analytics_results (symbol_pair, timeframe, ts, hedge_ratio, intercept, spread, z_score, correlation,
                        adf_statistic, adf_pvalue, spread_mean, spread_std, half_life)
                    VALUES (\(r.symbolPair), \(r.timeframe.description), \(r.time.milliseconds), \(r.hedgeRatio), \(r.intercept),
                        \(r.spread), \(r.zScore), \(r.correlation), \(r.adfStatistic), \(r.adfPValue), \(r.spreadMean), \(r.spreadStd),
                        \(r.halfLife))
                    """, logger: logger)
            }
            return rows.count
        }
    }

    static let alertRuleColumns = "id, name, definition, enabled, created_at, updated_at"
    static let alertEventColumns = "source, rule, symbol_pair, metric, value, threshold, state, ts, report_run"

    static func alertRule(_ row: PostgresRow) throws -> AlertRuleRecord {
        let (id, name, definition, enabled, created, updated) = try row.decode((Int64, String, String, Bool, Int64, Int64).self)
        return AlertRuleRecord(id: id, name: name, definition: definition, enabled: enabled, createdAt: Timestamp(milliseconds: created),
                               updatedAt: Timestamp(milliseconds: updated))
    }
}
