/// An OHLCV bar with the same fields as a Binance kline.
///
/// `open` is the first trade's price, `close` the last's, `volume` the sum of quantities,
/// `quoteVolume` the sum of price × quantity, `takerBuyVolume` the volume of trades whose
/// aggressor bought (buyer not maker).
public struct Bar: Sendable, Hashable, Codable {
    /// Bar open time, aligned to the timeframe in UTC.
    public var openTime: Timestamp
    public var open: Double
    public var high: Double
    public var low: Double
    public var close: Double
    /// Base-asset volume.
    public var volume: Double
    /// Quote-asset volume (Σ price × quantity).
    public var quoteVolume: Double
    /// Number of trades.
    public var trades: Int64
    /// Base-asset volume bought by takers.
    public var takerBuyVolume: Double

    public init(openTime: Timestamp, open: Double, high: Double, low: Double, close: Double,
                volume: Double, quoteVolume: Double, trades: Int64, takerBuyVolume: Double) {
        self.openTime = openTime
        self.open = open
        self.high = high
        self.low = low
        self.close = close
        self.volume = volume
        self.quoteVolume = quoteVolume
        self.trades = trades
        self.takerBuyVolume = takerBuyVolume
    }

    /// A bar made of a single trade.
    public init(openTime: Timestamp, firstTrade tick: Tick) {
        self.init(openTime: openTime, open: tick.price, high: tick.price, low: tick.price, close: tick.price,
                  volume: tick.quantity, quoteVolume: tick.price * tick.quantity, trades: 1,
                  takerBuyVolume: tick.isBuyerMaker ? 0 : tick.quantity)
    }

    /// Adds a later trade to the bar. O(1).
    @inlinable public mutating func add(_ tick: Tick) {
        if tick.price > high { high = tick.price }
        if tick.price < low { low = tick.price }
        close = tick.price
        volume += tick.quantity
        quoteVolume += tick.price * tick.quantity
        trades += 1
        if !tick.isBuyerMaker { takerBuyVolume += tick.quantity }
    }

    /// Adds a later bar (of a finer timeframe) to this one, summing volumes in `Double`: for bars that are only drawn.
    /// Bars that are stored or printed are rolled up exactly with ``rolledUp(_:openTime:)``. O(1).
    @inlinable public mutating func merge(_ later: Bar) {
        if later.high > high { high = later.high }
        if later.low < low { low = later.low }
        close = later.close
        volume += later.volume
        quoteVolume += later.quoteVolume
        trades += later.trades
        takerBuyVolume += later.takerBuyVolume
    }

    /// Whether the close is at or above the open (drawn as an "up" candle).
    public var isUp: Bool { close >= open }
}

/// The bars of one symbol at one timeframe, in ascending open time, without duplicates.
public struct BarSeries: Sendable, Hashable {
    public var symbol: Symbol
    public var timeframe: Timeframe
    public var bars: [Bar]

    public init(symbol: Symbol, timeframe: Timeframe, bars: [Bar]) {
        self.symbol = symbol
        self.timeframe = timeframe
        self.bars = bars
    }

    public var isEmpty: Bool { bars.isEmpty }
    public var count: Int { bars.count }

    /// Open times in ascending order.
    public var openTimes: [Timestamp] { bars.map(\.openTime) }
    /// Close prices in bar order.
    public var closes: [Double] { bars.map(\.close) }
}
