import Collector
import Market

/// The last trades of each symbol and the newest state of each touched bar, kept in memory for Redis, with what has
/// been written marked: ``takePending()`` gives what is still to write, ``markWritten(_:)`` records a successful
/// write, and ``catchUp(symbol:lastWrittenID:)`` re-marks a symbol against what a (restarted) server still holds, so
/// the buffer comes back when Redis does.
///
/// Bounded: at most `capacity` trades per symbol (the oldest go first; one not yet written counts as dropped) and one
/// bar per symbol and timeframe (a newer state replaces an unwritten older one). A trade id already held is ignored.
/// Adding a batch of n trades costs O(n + capacity) per symbol in it.
///
/// ```swift
/// var buffer = LiveTradeBuffer(capacity: 1_000)
/// buffer.add(CommittedBatch(ticks: ticks, bars: bars))
/// let pending = buffer.takePending()        // write these, then:
/// buffer.markWritten(pending)               // or buffer.restore(pending) when the write failed
/// ```
struct LiveTradeBuffer: Sendable {
    /// Trades of one symbol, oldest first, numbered in arrival order.
    struct Ring: Sendable {
        var ticks: [Tick] = []
        var ids: Set<Int64> = []
        /// The number the next trade gets.
        var appended = 0
        /// Trades numbered below this are written.
        var written = 0

        /// The number of `ticks[0]`.
        var first: Int { appended - ticks.count }
    }

    /// A symbol's unwritten trades, or a bar, taken for one write.
    struct Pending: Sendable {
        var trades: [(symbol: Symbol, ticks: ArraySlice<Tick>, through: Int)] = []
        var bars: [ResampledBar] = []

        var isEmpty: Bool { trades.isEmpty && bars.isEmpty }
        var tradeCount: Int { trades.reduce(0) { $0 + $1.ticks.count } }
    }

    /// One bar series.
    struct Series: Hashable, Sendable {
        var symbol: Symbol
        var timeframe: Timeframe
    }

    /// The most trades kept per symbol.
    let capacity: Int
    private(set) var rings: [Symbol: Ring] = [:]
    private(set) var bars: [Series: ResampledBar] = [:]
    /// Trades dropped before they were written (the buffer overflowed while Redis was slow or away).
    private(set) var droppedTrades = 0
    /// Trades written so far (a trade written again after Redis came back counts again).
    private(set) var writtenTrades = 0

    /// - Precondition: `capacity > 0`.
    init(capacity: Int) {
        precondition(capacity > 0, "a trade buffer needs room for at least one trade")
        self.capacity = capacity
    }

    /// The symbols with trades held.
    var symbols: [Symbol] { rings.keys.sorted() }

    /// The trades held for `symbol`, oldest first.
    func ticks(of symbol: Symbol) -> [Tick] { rings[symbol]?.ticks ?? [] }

    /// Trades held and not yet written, over all symbols.
    var unwrittenTrades: Int { rings.values.reduce(0) { $0 + $1.appended - max($1.written, $1.first) } }

    /// Keeps the batch's trades (each trade id once per symbol) and the newest state of its bars.
    mutating func add(_ batch: CommittedBatch) {
        var touched: Set<Symbol> = []
        for tick in batch.ticks {
            guard rings[tick.symbol, default: Ring()].ids.insert(tick.tradeID).inserted else { continue }
            rings[tick.symbol]!.ticks.append(tick)
            rings[tick.symbol]!.appended += 1
            touched.insert(tick.symbol)
        }
        for symbol in touched { trim(symbol) }
        for bar in batch.bars { bars[Series(symbol: bar.symbol, timeframe: bar.timeframe)] = bar }
    }

    /// Drops the oldest trades of `symbol` beyond the capacity (in one move), counting unwritten ones as dropped.
    private mutating func trim(_ symbol: Symbol) {
        guard var ring = rings.removeValue(forKey: symbol) else { return }
        let excess = ring.ticks.count - capacity
        if excess > 0 {
            for tick in ring.ticks[..<excess] { ring.ids.remove(tick.tradeID) }
            ring.ticks.removeFirst(excess)
            if ring.written < ring.first {
                droppedTrades += ring.first - ring.written
                ring.written = ring.first
            }
        }
        rings[symbol] = ring
    }

    /// Everything not yet written: each symbol's newest unwritten trades, and the bars (taken: they leave the buffer
    /// until ``restore(_:)`` puts back those not replaced since).
    mutating func takePending() -> Pending {
        var pending = Pending()
        for symbol in symbols {
            let ring = rings[symbol]!
            let start = max(ring.written, ring.first)
            if start < ring.appended { pending.trades.append((symbol, ring.ticks[(start - ring.first)...], ring.appended)) }
        }
        pending.bars = bars.values.sorted { ($0.bar.openTime, $0.symbol, $0.timeframe) < ($1.bar.openTime, $1.symbol, $1.timeframe) }
        bars.removeAll(keepingCapacity: true)
        return pending
    }

    /// Marks a successful write of `pending`.
    mutating func markWritten(_ pending: Pending) {
        for (symbol, ticks, through) in pending.trades {
            if let written = rings[symbol]?.written { rings[symbol]?.written = max(written, through) }
            writtenTrades += ticks.count
        }
    }

    /// After a failed write of `pending`: its trades stay unwritten; its bars come back unless a newer state arrived.
    mutating func restore(_ pending: Pending) {
        for bar in pending.bars {
            let series = Series(symbol: bar.symbol, timeframe: bar.timeframe)
            if bars[series] == nil { bars[series] = bar }
        }
    }

    /// Marks `symbol`'s trades against a server's stream whose newest entry is trade `lastWrittenID` (nil: an empty or
    /// missing stream): the trades after it are unwritten; all of them when it is not held (a restarted server), none
    /// when it is newer than every trade held.
    mutating func catchUp(symbol: Symbol, lastWrittenID: Int64?) {
        guard var ring = rings[symbol] else { return }
        if let lastWrittenID, let index = ring.ticks.lastIndex(where: { $0.tradeID == lastWrittenID }) {
            ring.written = ring.first + index + 1
        } else if let lastWrittenID, let newest = ring.ticks.last, lastWrittenID > newest.tradeID {
            ring.written = ring.appended
        } else {
            ring.written = ring.first
        }
        rings[symbol] = ring
    }
}
