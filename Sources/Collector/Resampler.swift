import Market

/// Turns trades into OHLCV bars of several timeframes at once, incrementally.
///
/// Bars open at times aligned to their timeframe in UTC (``Timeframe/barOpen(containing:)``).
/// Open is the earliest trade (by time, then trade id), close the latest, high/low the max/min
/// price; volume, quote volume (Σ price × quantity), trade count and taker-buy volume are sums (exact
/// decimal sums, ``ExactSum``, so `125.967` stays `125.967`) —
/// the fields of a Binance kline, and what pandas'
/// `resample(tf).agg(first/max/min/last/sum)` gives for ticks in file order. A bar that is still
/// open is updated in place; an interval without trades has no bar.
///
/// The resampler holds the newest bar of every symbol and timeframe. When a trade falls into a bar
/// it does not hold (after a restart, a resumed import, or a late trade for an older bar) it asks a
/// ``BarSource`` for the stored bar and, if there is one, rebuilds it from the stored trades, so that
/// open and close stay exact whatever the arrival order. (A stored bar that has no stored trades — one
/// imported from a kline dump — is replaced by the bar of the trades recorded into it: trades win
/// over klines.) Each ``add(_:from:)`` is O(timeframes);
/// memory is O(symbols × timeframes) plus the bars touched since the last ``takeTouched()``.
///
/// ```swift
/// var resampler = Resampler(timeframes: [.oneSecond, .oneMinute])
/// for tick in ticks { try resampler.add(tick) }
/// let bars = resampler.takeTouched()      // every bar changed since the last call
/// ```
///
/// Not thread-safe (a value type; keep it inside one task).
public struct Resampler {
    /// The timeframes kept, finest first, without duplicates.
    public let timeframes: [Timeframe]

    /// Per symbol, one slot per timeframe (same order as ``timeframes``).
    private var slots: [[Slot]] = []
    private var symbolIndex: [Symbol: Int] = [:]
    private var symbols: [Symbol] = []
    /// The last symbol seen and its index (ticks usually come in runs of one symbol).
    private var lastSymbol: (symbol: Symbol, index: Int)?

    /// Creates a resampler for `timeframes` (default 1s, 1m, 5m).
    ///
    /// - Precondition: at least one timeframe.
    public init(timeframes: [Timeframe] = Timeframe.defaults) {
        precondition(!timeframes.isEmpty, "a resampler needs at least one timeframe")
        self.timeframes = Array(Set(timeframes)).sorted()
    }

    // MARK: - Adding trades

    /// Adds one trade to the bar of every timeframe it falls into. O(timeframes), plus one
    /// lookup in `source` the first time a trade hits a bar that is not held in memory.
    ///
    /// - Parameters:
    ///   - tick: the trade; feed each trade once (the ``Recorder`` feeds only newly stored trades).
    ///   - source: where stored bars are found; `nil` means nothing is stored (pure resampling).
    ///     When given, its ``BarSource/storedTicks(of:in:)`` must already include `tick`, or not —
    ///     both work: trades seen in a rebuild are never counted twice.
    /// - Throws: what `source` throws.
    public mutating func add(_ tick: Tick, from source: (any BarSource)? = nil) throws {
        let s = index(of: tick.symbol)
        let order = TradeOrder(tick)
        let amounts = TradeAmounts(tick)
        for t in 0..<timeframes.count {
            try Self.add(tick, order: order, amounts: amounts, timeframe: timeframes[t], to: &slots[s][t], from: source)
        }
    }

    /// Adds `tick` to the bar of `timeframe` it falls into, within one series' slot (updated in place).
    @inline(__always)
    private static func add(_ tick: Tick, order: TradeOrder, amounts: TradeAmounts, timeframe: Timeframe,
                            to slot: inout Slot, from source: (any BarSource)?) throws {
        let open = timeframe.barOpen(containing: tick.timestamp)
        if slot.current?.bar.openTime == open {
            slot.current!.add(tick, order: order, amounts: amounts)
        } else if let i = slot.indexOfOther(opening: open) {
            slot.others[i].add(tick, order: order, amounts: amounts)
        } else {
            let bar = try load(tick, order: order, amounts: amounts, open: open, timeframe: timeframe, from: source,
                               newestStored: &slot.newestStored)
            slot.place(bar)
        }
    }

    /// Every bar changed since the last call, finest timeframe first, then by symbol and open time.
    ///
    /// Bars older than the newest of their series are let go of after this call (they are written
    /// by then); a later trade for one of them goes through the ``BarSource`` again.
    public mutating func takeTouched() -> [ResampledBar] {
        var result: [ResampledBar] = []
        for t in 0..<timeframes.count {
            for s in 0..<symbols.count {
                for bar in slots[s][t].others where bar.isDirty {
                    result.append(ResampledBar(symbol: symbols[s], timeframe: timeframes[t], bar: bar.finished))
                }
                slots[s][t].others.removeAll(keepingCapacity: true)
                if let bar = slots[s][t].current, bar.isDirty {
                    result.append(ResampledBar(symbol: symbols[s], timeframe: timeframes[t], bar: bar.finished))
                    slots[s][t].current!.markClean()
                }
            }
        }
        return result
    }

    /// The bar of `symbol` at `timeframe` held in memory (the newest seen), if any.
    public func currentBar(of symbol: Symbol, timeframe: Timeframe) -> Bar? {
        guard let s = symbolIndex[symbol], let t = timeframes.firstIndex(of: timeframe) else { return nil }
        return slots[s][t].current?.finished
    }

    /// Forgets every bar held in memory (e.g. after a failed transaction, whose bars were not
    /// stored); later trades reload what they need from the ``BarSource``.
    public mutating func reset() {
        slots = []
        symbolIndex = [:]
        symbols = []
        lastSymbol = nil
    }

    /// Forgets the bars of `symbol` held in memory (another writer may have changed them); later trades of it
    /// reload what they need from the ``BarSource``.
    public mutating func forget(_ symbol: Symbol) {
        guard let s = symbolIndex[symbol] else { return }
        slots[s] = Array(repeating: Slot(), count: timeframes.count)
    }

    // MARK: - Internals

    private mutating func index(of symbol: Symbol) -> Int {
        if let last = lastSymbol, last.symbol == symbol { return last.index }
        let index: Int
        if let known = symbolIndex[symbol] {
            index = known
        } else {
            index = symbols.count
            symbols.append(symbol)
            symbolIndex[symbol] = index
            slots.append(Array(repeating: Slot(), count: timeframes.count))
        }
        lastSymbol = (symbol, index)
        return index
    }

    /// The bar a trade opens: new, or the stored one rebuilt from its trades (plus this one).
    ///
    /// `newestStored` is the series' newest stored (or opened) bar, fetched once from `source`;
    /// a bar opening after it cannot be stored, so it is not looked up.
    private static func load(_ tick: Tick, order: TradeOrder, amounts: TradeAmounts, open: Timestamp, timeframe: Timeframe,
                             from source: (any BarSource)?, newestStored: inout Timestamp?) throws -> OpenBar {
        guard let source else { return OpenBar(tick, order: order, openTime: open, amounts: amounts) }
        let newest = try newestStored
            ?? source.latestStoredBarOpen(of: tick.symbol, timeframe: timeframe)
            ?? Timestamp(milliseconds: .min)
        newestStored = max(newest, open)
        guard open <= newest, try source.storedBar(of: tick.symbol, timeframe: timeframe, openTime: open) != nil else {
            return OpenBar(tick, order: order, openTime: open, amounts: amounts)
        }
        let stored = try source.storedTicks(of: tick.symbol, in: TimeRange(start: open, end: open + timeframe.span))
        var rebuilt: OpenBar?
        var seen = Set<Int64>()
        seen.reserveCapacity(stored.count + 1)
        for trade in stored.sorted(by: { TradeOrder($0) < TradeOrder($1) }) where seen.insert(trade.tradeID).inserted {
            if rebuilt == nil {
                rebuilt = OpenBar(trade, order: TradeOrder(trade), openTime: open)
            } else {
                rebuilt!.add(trade, order: TradeOrder(trade))
            }
        }
        guard var bar = rebuilt else { return OpenBar(tick, order: order, openTime: open, amounts: amounts) }
        if !seen.contains(tick.tradeID) {
            bar.add(tick, order: order, amounts: amounts)
            seen.insert(tick.tradeID)
        }
        bar.rebuiltFrom = seen
        return bar
    }
}

// MARK: - Per-series state

/// The bars of one symbol at one timeframe held in memory.
private struct Slot {
    /// The newest bar seen.
    var current: OpenBar?
    /// Older bars touched since the last `takeTouched()` (closed by a newer bar, or reopened by a late
    /// trade), ascending by open time without repeats. An array, not a dictionary: in time order a closed
    /// bar is simply appended, and lookups (only when a trade misses `current`) are binary searches.
    var others: [OpenBar] = []
    /// Open time of the newest bar stored or opened in this series (`Int64.min` ms: none); `nil` until asked.
    var newestStored: Timestamp?

    mutating func place(_ bar: OpenBar) {
        guard let newest = current else {
            current = bar
            return
        }
        if bar.bar.openTime > newest.bar.openTime {
            // Every bar in `others` is older than `current`, so the closed current goes last.
            if newest.isDirty { others.append(newest) }
            current = bar
        } else {
            others.insert(bar, at: lowerBound(of: bar.bar.openTime))
        }
    }

    /// The index in `others` of the bar opening at `open`, if held.
    func indexOfOther(opening open: Timestamp) -> Int? {
        let i = lowerBound(of: open)
        return i < others.count && others[i].bar.openTime == open ? i : nil
    }

    /// The first index in `others` whose bar opens at or after `open`.
    private func lowerBound(of open: Timestamp) -> Int {
        var low = 0
        var high = others.count
        while low < high {
            let mid = (low + high) / 2
            if others[mid].bar.openTime < open { low = mid + 1 } else { high = mid }
        }
        return low
    }
}

/// A bar under construction, with the order of its first and last trade.
///
/// Its volumes are summed exactly (``ExactSum``) and written into ``bar`` when the bar is taken out
/// (``finished``), so a stored bar's volume prints like Binance's kline (`125.967`, not `125.96699999999987`).
private struct OpenBar {
    /// The bar's prices, trade count and open time (its volume fields are set by ``finished``).
    var bar: Bar
    var first: TradeOrder
    var last: TradeOrder
    var volume: ExactSum
    var quoteVolume: ExactSum
    var takerBuyVolume = ExactSum()
    /// Changed since last taken.
    var isDirty = true
    /// Trade ids already inside the bar when it was rebuilt from stored trades in this round;
    /// a trade among them is not counted again. Empty for bars built only from added trades.
    var rebuiltFrom: Set<Int64> = []

    init(_ tick: Tick, order: TradeOrder, openTime: Timestamp) {
        self.init(tick, order: order, openTime: openTime, amounts: TradeAmounts(tick))
    }

    init(_ tick: Tick, order: TradeOrder, openTime: Timestamp, amounts: TradeAmounts) {
        bar = Bar(openTime: openTime, open: tick.price, high: tick.price, low: tick.price, close: tick.price,
                  volume: 0, quoteVolume: 0, trades: 1, takerBuyVolume: 0)
        first = order
        last = order
        volume = ExactSum()
        volume.add(amounts.quantity)
        quoteVolume = ExactSum()
        quoteVolume.add(amounts.quote)
        if !tick.isBuyerMaker { takerBuyVolume.add(amounts.quantity) }
    }

    /// The bar with its exact volumes.
    var finished: Bar {
        var result = bar
        result.volume = volume.value
        result.quoteVolume = quoteVolume.value
        result.takerBuyVolume = takerBuyVolume.value
        return result
    }

    @inline(__always)
    mutating func add(_ tick: Tick, order: TradeOrder, amounts: TradeAmounts) {
        if !rebuiltFrom.isEmpty, rebuiltFrom.contains(tick.tradeID) { return }
        isDirty = true
        if tick.price > bar.high { bar.high = tick.price }
        if tick.price < bar.low { bar.low = tick.price }
        bar.trades += 1
        volume.add(amounts.quantity)
        quoteVolume.add(amounts.quote)
        if !tick.isBuyerMaker { takerBuyVolume.add(amounts.quantity) }
        if order > last {
            bar.close = tick.price
            last = order
        } else if order < first {
            // A trade older than the open: it becomes the open (the close stays).
            bar.open = tick.price
            first = order
        }
    }

    mutating func add(_ tick: Tick, order: TradeOrder) { add(tick, order: order, amounts: TradeAmounts(tick)) }

    mutating func markClean() {
        isDirty = false
        rebuiltFrom = []
    }
}

/// A trade's quantity and quote volume in fixed point, converted once for the bars of every timeframe.
private struct TradeAmounts {
    let quantity: ExactSum.Term
    let quote: ExactSum.Term

    init(_ tick: Tick) {
        quantity = ExactSum.Term(tick.quantity)
        quote = ExactSum.Term(price: tick.price, times: tick.quantity)
    }
}
