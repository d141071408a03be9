/// The open times and closes of one symbol's bars at one timeframe: all that a spread needs, in two columns.
///
/// Cheaper to read than a ``BarSeries`` (two of a bar's nine stored columns) and to join (no bar copies).
public struct CloseSeries: Sendable, Hashable {
    public var symbol: Symbol
    public var timeframe: Timeframe
    /// Bar open times, ascending.
    public var openTimes: [Timestamp]
    /// The close of the bar at the same index of ``openTimes``.
    public var closes: [Double]

    /// - Precondition: `openTimes` and `closes` have equal length.
    public init(symbol: Symbol, timeframe: Timeframe, openTimes: [Timestamp], closes: [Double]) {
        precondition(openTimes.count == closes.count, "open times and closes differ in length")
        self.symbol = symbol
        self.timeframe = timeframe
        self.openTimes = openTimes
        self.closes = closes
    }

    /// The open times and closes of `series`.
    public init(_ series: BarSeries) {
        self.init(symbol: series.symbol, timeframe: series.timeframe, openTimes: series.openTimes, closes: series.closes)
    }

    public var isEmpty: Bool { openTimes.isEmpty }
    public var count: Int { openTimes.count }
}
