import Market

/// Two bar series joined on their common open times (an inner join; nothing is forward-filled).
///
/// `base` is y and `quote` is x of the pair `base/quote`. Bars present in only one series are dropped
/// and counted in ``droppedBase`` and ``droppedQuote``.
public struct AlignedPair: Sendable, Hashable {
    /// Common bar open times, ascending (UTC ms).
    public var timestamps: [Timestamp]
    /// Closes of the base leg (y) at ``timestamps``.
    public var base: [Double]
    /// Closes of the quote leg (x) at ``timestamps``.
    public var quote: [Double]
    /// Base bars without a quote bar at the same open time.
    public var droppedBase: Int
    /// Quote bars without a base bar at the same open time.
    public var droppedQuote: Int

    /// Number of aligned observations.
    public var count: Int { timestamps.count }

    /// Joins two series on equal open times.
    ///
    /// Complexity: O(n + m) (a merge of two ascending sequences).
    ///
    /// - Parameters:
    ///   - base: the y leg; its bars ascending by open time.
    ///   - quote: the x leg; its bars ascending by open time.
    public init(base: BarSeries, quote: BarSeries) {
        self.init(base: CloseSeries(base), quote: CloseSeries(quote))
    }

    /// Joins two series of closes on equal open times (what ``init(base:quote:)`` does with bars).
    ///
    /// Complexity: O(n + m).
    public init(base: CloseSeries, quote: CloseSeries) {
        let (ta, ya) = (base.openTimes, base.closes)
        let (tb, xb) = (quote.openTimes, quote.closes)
        var times: [Timestamp] = []
        var ys: [Double] = []
        var xs: [Double] = []
        let capacity = min(ta.count, tb.count)
        times.reserveCapacity(capacity)
        ys.reserveCapacity(capacity)
        xs.reserveCapacity(capacity)
        var i = 0
        var j = 0
        while i < ta.count && j < tb.count {
            if ta[i] == tb[j] {
                times.append(ta[i])
                ys.append(ya[i])
                xs.append(xb[j])
                i += 1
                j += 1
            } else if ta[i] < tb[j] {
                i += 1
            } else {
                j += 1
            }
        }
        self.timestamps = times
        self.base = ys
        self.quote = xs
        self.droppedBase = ta.count - times.count
        self.droppedQuote = tb.count - times.count
    }

    /// An aligned pair from arrays that are already aligned (tests, benchmarks).
    ///
    /// - Precondition: the three arrays have equal length.
    public init(timestamps: [Timestamp], base: [Double], quote: [Double]) {
        precondition(timestamps.count == base.count && base.count == quote.count, "aligned arrays differ in length")
        self.timestamps = timestamps
        self.base = base
        self.quote = quote
        self.droppedBase = 0
        self.droppedQuote = 0
    }
}

extension BarSeries {
    /// The bars whose open time is in `openTimes` (ascending, as the bars are): a merge, O(n + m).
    func keeping(openTimes: [Timestamp]) -> BarSeries {
        var kept: [Bar] = []
        kept.reserveCapacity(openTimes.count)
        var j = 0
        for bar in bars {
            while j < openTimes.count && openTimes[j] < bar.openTime { j += 1 }
            if j < openTimes.count && openTimes[j] == bar.openTime { kept.append(bar) }
        }
        return BarSeries(symbol: symbol, timeframe: timeframe, bars: kept)
    }
}
