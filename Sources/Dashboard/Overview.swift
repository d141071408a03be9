import Market
import ReportEngine
import Storage

/// The per-symbol header cards of the Overview tab (`GET /api/overview`, and the `status` event).
struct OverviewItem: Codable, Sendable, Hashable {
    var symbol: String
    /// Last trade price (or the close of the newest bar when only bars are stored).
    var lastPrice: Double?
    /// Time of that trade (or the end of that bar), ms UTC.
    var lastTrade: Int64?
    /// Fractional change of the last price against the last close 24 hours earlier.
    var change24h: Double?
    /// Trades per second: the collector's rate, or the stored trades of the last minute.
    var tradesPerSecond: Double?
    /// How long ago the last trade was, ms.
    var freshnessMs: Int64?
    /// `connected` / `disconnected` (a collector in this process records the symbol) or `not collecting`.
    var connection: String

    enum CodingKeys: String, CodingKey {
        case symbol, connection
        case lastPrice = "last_price", lastTrade = "last_trade", change24h = "change_24h"
        case tradesPerSecond = "trades_per_second", freshnessMs = "freshness_ms"
    }
}

struct OverviewBody: Codable, Sendable {
    var now: Int64
    var symbols: [OverviewItem]
}

extension OverviewItem {
    /// Reads one symbol's card from the store at `now`, with the collector's view when one runs in this process.
    static func read(_ symbol: Symbol, store: any DashboardStore, collector: CollectorView?, now: Timestamp) throws -> OverviewItem {
        let tick = try store.lastTicks(of: [symbol])[symbol]
        let timeframes = try store.timeframes(for: symbol)
        let reference = timeframes.contains(.oneMinute) ? Timeframe.oneMinute : timeframes.first
        var lastPrice = tick?.price
        var lastTime = tick?.timestamp
        if tick == nil, let reference, let bar = try store.lastBar(for: symbol, timeframe: reference) {
            lastPrice = bar.close
            lastTime = bar.openTime + reference.span
        }
        var change: Double?
        if let reference, let lastPrice, let lastTime,
           let before = try store.lastBar(for: symbol, timeframe: reference, before: lastTime - TimeSpan(milliseconds: 86_400_000)),
           before.openTime >= lastTime - TimeSpan(milliseconds: 86_400_000) - max(reference.span, TimeSpan(milliseconds: 300_000)),
           before.close != 0 {
            // Only a bar from about 24 h ago counts: no change across a hole in the data.
            change = lastPrice / before.close - 1
        }
        let state = collector?.symbols[symbol]
        var rate = state?.tradesPerSecond
        if state == nil, tick != nil {
            let lastMinute = TimeRange(lookback: TimeSpan(milliseconds: 60_000), endingAt: now)
            let count = try store.tickCount(of: symbol, in: lastMinute)
            rate = Double(count) / 60
        }
        let connection = state.map { $0.connected ? "connected" : "disconnected" } ?? "not collecting"
        return OverviewItem(
            symbol: symbol.name, lastPrice: lastPrice, lastTrade: lastTime?.milliseconds, change24h: change, tradesPerSecond: rate,
            freshnessMs: lastTime.map { max(0, (now - $0).milliseconds) }, connection: connection)
    }
}
