import Market

/// A bar of one symbol at one timeframe, as produced by the ``Resampler`` for writing.
public struct ResampledBar: Sendable, Hashable {
    public var symbol: Symbol
    public var timeframe: Timeframe
    public var bar: Bar

    public init(symbol: Symbol, timeframe: Timeframe, bar: Bar) {
        self.symbol = symbol
        self.timeframe = timeframe
        self.bar = bar
    }
}
