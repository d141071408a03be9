import Market

/// Turns trades into OHLCV bars of several timeframes at once, incrementally.
///
/// Bars open at times aligned to their timeframe in UTC (``Timeframe/barOpen(containing:)``).
/// Open is the earliest trade (by time, then trade id), close the latest, high/low the max/min
/// price; volume, quote volume (Σ price × quantity), trade count and taker-buy volume are sums —
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
        for t in 0..<timeframes.count {
            try Self.add(tick, order: order, timeframe: timeframes[t], to: &slots[s][t], from: source)
        }
    }

    /// Adds `tick` to the bar of `timeframe` it falls into, within one series' slot (updated in place).
    @inline(__always)
    private static func add(_ tick: Tick, order: TradeOrder, timeframe: Timeframe, to slot: inout Slot,
                            from source: (any BarSource)?) throws {
        let open = timeframe.barOpen(containing: tick.timestamp)
        if slot.current?.bar.openTime == open {
            slot.current!.add(tick, order: order)
        } else if let i = slot.indexOfOther(opening: open) {
            slot.others[i].add(tick, order: order)
        } else {
            let bar = try load(tick, order: order, open: open, timeframe: timeframe, from: source,
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
                    result.append(ResampledBar(symbol: symbols[s], timeframe: timeframes[t], bar: bar.bar))
                }
                slots[s][t].others.removeAll(keepingCapacity: true)
                if let bar = slots[s][t].current, bar.isDirty {
                    result.append(ResampledBar(symbol: symbols[s], timeframe: timeframes[t], bar: bar.bar))
                    slots[s][t].current!.markClean()
                }
            }
        }
        return result
    }

    /// The bar of `symbol` at `timeframe` held in memory (the newest seen), if any.
    public func currentBar(of symbol: Symbol, timeframe: Timeframe) -> Bar? {
        guard let s = symbolIndex[symbol], let t = timeframes.firstIndex(of: timeframe) else { return nil }
        return slots[s][t].current?.bar
    }

    /// Forgets every bar held in memory (e.g. after a failed transaction, whose bars were not
    /// stored); later trades reload what they need from the ``BarSource``.
    public mutating func reset() {
        slots = []
        symbolIndex = [:]
        symbols = []
        lastSymbol = nil
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
    private static func load(_ tick: Tick, order: TradeOrder, open: Timestamp, timeframe: Timeframe,
                             from source: (any BarSource)?, newestStored: inout Timestamp?) throws -> OpenBar {
        guard let source else { return OpenBar(tick, order: order, openTime: open) }
        let newest = try newestStored
            ?? source.latestStoredBarOpen(of: tick.symbol, timeframe: timeframe)
            ?? Timestamp(milliseconds: .min)
        newestStored = max(newest, open)
        guard open <= newest, try source.storedBar(of: tick.symbol, timeframe: timeframe, openTime: open) != nil else {
            return OpenBar(tick, order: order, openTime: open)
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
        guard var bar = rebuilt else { return OpenBar(tick, order: order, openTime: open) }
        if !seen.contains(tick.tradeID) {
            bar.add(tick, order: order)
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
private struct OpenBar {
    var bar: Bar
    var first: TradeOrder
    var last: TradeOrder
    /// Changed since last taken.
    var isDirty = true
    /// Trade ids already inside the bar when it was rebuilt from stored trades in this round;
    /// a trade among them is not counted again. Empty for bars built only from added trades.
    var rebuiltFrom: Set<Int64> = []

    init(_ tick: Tick, order: TradeOrder, openTime: Timestamp) {
        bar = Bar(openTime: openTime, firstTrade: tick)
        first = order
        last = order
    }

    @inline(__always)
    mutating func add(_ tick: Tick, order: TradeOrder) {
        if !rebuiltFrom.isEmpty, rebuiltFrom.contains(tick.tradeID) { return }
        isDirty = true
        if order > last {
            bar.add(tick)
            last = order
            return
        }
        // A trade older than the close: everything but the close changes.
        let close = bar.close
        bar.add(tick)
        bar.close = close
        if order < first {
            bar.open = tick.price
            first = order
        }
    }

    mutating func markClean() {
        isDirty = false
        rebuiltFrom = []
    }
}
