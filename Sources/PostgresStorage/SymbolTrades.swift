import Market

/// One symbol's share of a batch for ``PostgresStore/record(_:timeframes:)``: its trades, each trade id once.
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

    /// The batch split by symbol, in symbol order. O(n), with a repeat check by hash only where trade ids do not
    /// strictly increase.
    static func partition(_ ticks: [Tick]) -> [SymbolTrades] {
        var grouped: [Symbol: [Tick]] = [:]
        for tick in ticks { grouped[tick.symbol, default: []].append(tick) }
        return grouped.keys.sorted().map { SymbolTrades(symbol: $0, received: grouped[$0] ?? []) }
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
