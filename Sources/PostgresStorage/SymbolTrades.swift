import Market
import Storage

/// One symbol's share of a batch for ``PostgresStore/record(_:timeframes:gaps:filledGaps:keepingBars:)``: its trades,
/// each trade id once, and its gap rows to write with them.
///
/// A trade id repeated in the batch keeps its earliest version (by time, then by position), as the store's
/// `DISTINCT ON (symbol_id, trade_id) … ORDER BY ts` did; the repeats count as duplicates.
struct SymbolTrades: Sendable {
    let symbol: Symbol
    /// The trades, each trade id once, in batch order.
    let trades: [Tick]
    /// How many trades of the symbol the batch held, repeats included.
    let received: Int
    /// The earliest and latest time (UTC ms) among ``trades``.
    let first: Timestamp, last: Timestamp
    /// Gaps of the symbol to record, and gaps to mark filled at a time, in the same transaction as the trades.
    var gaps: [StreamGap] = []
    var filledGaps: [(gap: StreamGap, at: Timestamp)] = []

    /// The batch split by symbol, in symbol order (a symbol with gap rows but no trades has a share too). O(n), with a
    /// repeat check by hash only where trade ids do not strictly increase.
    static func partition(_ ticks: [Tick], gaps: [StreamGap] = [],
                          filledGaps: [(gap: StreamGap, at: Timestamp)] = []) -> [SymbolTrades] {
        var grouped: [Symbol: [Tick]] = [:]
        for tick in ticks { grouped[tick.symbol, default: []].append(tick) }
        for gap in gaps { grouped[gap.symbol, default: []] += [] }
        for filled in filledGaps { grouped[filled.gap.symbol, default: []] += [] }
        return grouped.keys.sorted().map { symbol in
            var part = SymbolTrades(symbol: symbol, received: grouped[symbol] ?? [])
            part.gaps = gaps.filter { $0.symbol == symbol }
            part.filledGaps = filledGaps.filter { $0.gap.symbol == symbol }
            return part
        }
    }

    private init(symbol: Symbol, received: [Tick]) {
        self.symbol = symbol
        self.received = received.count
        trades = Self.unique(received)
        first = trades.lazy.map(\.timestamp).min() ?? Timestamp(milliseconds: 0)
        last = trades.lazy.map(\.timestamp).max() ?? Timestamp(milliseconds: 0)
    }

    /// `trades` with each trade id once (the earliest version); `trades` itself when ids strictly increase.
    private static func unique(_ trades: [Tick]) -> [Tick] {
        if zip(trades, trades.dropFirst()).allSatisfy({ $0.tradeID < $1.tradeID }) { return trades }
        var kept: [Int64: Int] = [:]
        var result: [Tick] = []
        result.reserveCapacity(trades.count)
        for tick in trades {
            if let index = kept[tick.tradeID] {
                if tick.timestamp < result[index].timestamp { result[index] = tick }
            } else {
                kept[tick.tradeID] = result.count
                result.append(tick)
            }
        }
        return result
    }
}
