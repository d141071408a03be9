import Dashboard
import Market
import PostgresStorage
import ReportEngine
import Storage

extension BlockingPostgresStore: DashboardStore {
    public func catalog() throws -> [SymbolSummary] { try blocking { try await store.catalog() } }

    public func changeCounter() throws -> Int64 { try blocking { try await store.changeCounter() } }

    public func lastBar(for symbol: Symbol, timeframe: Timeframe) throws -> Bar? {
        try blocking { try await store.lastBar(for: symbol, timeframe: timeframe) }
    }

    public func lastBar(for symbol: Symbol, timeframe: Timeframe, before time: Timestamp) throws -> Bar? {
        try blocking { try await store.lastBar(for: symbol, timeframe: timeframe, before: time) }
    }

    public func barCount(for symbol: Symbol, timeframe: Timeframe, in range: TimeRange) throws -> Int {
        try blocking { try await store.barCount(for: symbol, timeframe: timeframe, in: range) }
    }

    public func closes(for symbol: Symbol, timeframe: Timeframe, in range: TimeRange) throws -> CloseSeries {
        try blocking { try await store.closes(for: symbol, timeframe: timeframe, in: range) }
    }

    public func lastTicks(of symbols: [Symbol]) throws -> [Symbol: Tick] { try blocking { try await store.lastTicks(of: symbols) } }

    public func timeframes(for symbol: Symbol) throws -> [Timeframe] { try blocking { try await store.timeframes(for: symbol) } }

    public func tickCount(of symbol: Symbol, in range: TimeRange) throws -> Int {
        try blocking { try await store.tickCount(of: symbol, in: range) }
    }

    public func alertRules() throws -> [AlertRuleRecord] { try blocking { try await store.alertRules() } }

    public func insertAlertRule(name: String, definition: String, enabled: Bool, at time: Timestamp) throws -> AlertRuleRecord {
        try blocking { try await store.insertAlertRule(name: name, definition: definition, enabled: enabled, at: time) }
    }

    public func updateAlertRule(id: Int64, name: String, definition: String, enabled: Bool, at time: Timestamp) throws -> AlertRuleRecord? {
        try blocking { try await store.updateAlertRule(id: id, name: name, definition: definition, enabled: enabled, at: time) }
    }

    @discardableResult
    public func deleteAlertRule(id: Int64) throws -> Bool { try blocking { try await store.deleteAlertRule(id: id) } }

    public func recentAlertEvents(limit: Int) throws -> [AlertEventRecord] { try blocking { try await store.recentAlertEvents(limit: limit) } }

    public func currentAlertStates() throws -> [AlertEventRecord] { try blocking { try await store.currentAlertStates() } }

    public func alertEvents(in range: TimeRange) throws -> [AlertEventRecord] { try blocking { try await store.alertEvents(in: range) } }

    @discardableResult
    public func replaceAnalyticsResults(_ rows: [AnalyticsResultRecord], symbolPair: String, timeframe: Timeframe) throws -> Int {
        try blocking { try await store.replaceAnalyticsResults(rows, symbolPair: symbolPair, timeframe: timeframe) }
    }

    public func symbolsWithBars() async throws -> [Symbol] { try await store.symbolsWithBars() }

    public func lastBars(of symbols: [Symbol], timeframes: [Timeframe]) async throws -> [(symbol: Symbol, timeframe: Timeframe, bar: Bar)] {
        try await store.lastBars(of: symbols, timeframes: timeframes)
    }

    public func barsWithoutBlocking(for symbol: Symbol, timeframe: Timeframe, in range: TimeRange) async throws -> BarSeries {
        try await store.bars(for: symbol, timeframe: timeframe, in: range)
    }
}

extension BlockingPostgresStore: ExportSource {
    public func forEachBar(of symbol: Symbol, timeframe: Timeframe, in range: TimeRange, _ body: (Bar) throws -> Void) throws {
        for bar in try bars(for: symbol, timeframe: timeframe, in: range).bars { try body(bar) }
    }

    /// Pages of 50,000 trades (time, then trade id), so memory stays bounded whatever the range.
    public func forEachTick(of symbol: Symbol, in range: TimeRange, _ body: (Tick) throws -> Void) throws {
        var after: (time: Timestamp, tradeID: Int64)?
        while true {
            let from = after
            let page = try blocking { try await store.trades(of: symbol, in: range, after: from, limit: 50_000) }
            for tick in page { try body(tick) }
            guard let last = page.last, page.count == 50_000 else { return }
            after = (last.timestamp, last.tradeID)
        }
    }
}
