extension Bar {
    /// The bar of a coarser timeframe made of `bars` (ascending, of one series), opening at `openTime`: the first
    /// bar's open, the last's close, the extreme high and low, and the volumes summed exactly (``ExactSum``), so five
    /// one-minute klines roll up to the five-minute kline Binance prints (`125.967`, not `125.96699999999987`).
    ///
    /// ``merge(_:)`` sums in `Double` and is meant for what is only drawn (candles of a chart). O(n); `nil` when
    /// `bars` is empty.
    public static func rolledUp(_ bars: some Collection<Bar>, openTime: Timestamp) -> Bar? {
        guard var rolled = bars.first else { return nil }
        rolled.openTime = openTime
        var volume = ExactSum(), quoteVolume = ExactSum(), takerBuyVolume = ExactSum()
        for bar in bars {
            if bar.high > rolled.high { rolled.high = bar.high }
            if bar.low < rolled.low { rolled.low = bar.low }
            volume.add(bar.volume)
            quoteVolume.add(bar.quoteVolume)
            takerBuyVolume.add(bar.takerBuyVolume)
        }
        rolled.close = bars.reversed().first!.close
        rolled.trades = bars.reduce(0) { $0 + $1.trades }
        rolled.volume = volume.value
        rolled.quoteVolume = quoteVolume.value
        rolled.takerBuyVolume = takerBuyVolume.value
        return rolled
    }
}
