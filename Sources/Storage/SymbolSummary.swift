import Market

/// What the database holds for one symbol, as shown by `pairbook status`.
public struct SymbolSummary: Sendable, Hashable {
    public var symbol: Symbol
    /// Stored trades.
    public var tickCount: Int
    /// Time of the earliest stored trade, if any.
    public var firstTrade: Timestamp?
    /// Time of the latest stored trade, if any.
    public var lastTrade: Timestamp?
    /// Stored bars per timeframe, finest first.
    public var barCounts: [BarCoverage]
    /// Recorded stream gaps, and how many of them are still unfilled.
    public var gapCount: Int
    public var openGapCount: Int

    public init(symbol: Symbol, tickCount: Int, firstTrade: Timestamp?, lastTrade: Timestamp?, barCounts: [BarCoverage], gapCount: Int,
                openGapCount: Int) {
        self.symbol = symbol
        self.tickCount = tickCount
        self.firstTrade = firstTrade
        self.lastTrade = lastTrade
        self.barCounts = barCounts
        self.gapCount = gapCount
        self.openGapCount = openGapCount
    }

    /// The end of the newest data: the last trade, or the close of the newest bar.
    public var lastData: Timestamp? {
        let barEnds = barCounts.map { $0.last + $0.timeframe.span }
        return ([lastTrade].compactMap { $0 } + barEnds).max()
    }
}

/// How many bars of one timeframe are stored, and the open times of the first and last.
public struct BarCoverage: Sendable, Hashable {
    public var timeframe: Timeframe
    public var count: Int
    public var first: Timestamp
    public var last: Timestamp

    public init(timeframe: Timeframe, count: Int, first: Timestamp, last: Timestamp) {
        self.timeframe = timeframe
        self.count = count
        self.first = first
        self.last = last
    }
}
