import Foundation
import Market

/// Liquidity measures of one symbol over a window of bars.
public struct Liquidity: Sendable, Hashable, Codable {
    public var symbol: Symbol
    /// Number of bars.
    public var bars: Int
    /// Σ base-asset volume.
    public var volume: Double
    /// Σ quote-asset volume (Σ price × quantity).
    public var quoteVolume: Double
    /// Σ trades.
    public var trades: Int64
    /// Volume-weighted average price = quoteVolume / volume; `nil` without volume.
    public var vwap: Double?
    /// Average trade size in base units = volume / trades; `nil` without trades.
    public var averageTradeSize: Double?
    /// Amihud illiquidity: mean over bars t ≥ 1 with quote volume > 0 of |ln(cₜ/cₜ₋₁)| / quoteVolumeₜ
    /// (per unit of quote currency; multiply by 1e6 for "per million"). `nil` with no such bar.
    public var amihud: Double?
    /// Roll's implied spread 2·√(−cov(Δcₜ, Δcₜ₋₁)) in price units (sample covariance, ddof 1);
    /// `nil` when the autocovariance is ≥ 0 (the model does not apply) or there are fewer than 4 bars.
    public var rollSpread: Double?

    /// Computes every measure from the bars. Complexity O(n).
    ///
    /// Oracle: pandas — `volume.sum()`, `quote_volume.sum()/volume.sum()`,
    /// `(np.log(close).diff().abs() / quote_volume)[1:].mean()`, `2*sqrt(-dc.cov(dc.shift(1)))` with `dc = close.diff()`.
    public init(_ series: BarSeries) {
        let bars = series.bars
        symbol = series.symbol
        self.bars = bars.count
        // Exact decimal sums (the bars' volumes have few decimals), so the totals print as Binance's would.
        var volume = ExactSum()
        var quoteVolume = ExactSum()
        var trades: Int64 = 0
        for b in bars {
            volume.add(b.volume)
            quoteVolume.add(b.quoteVolume)
            trades += b.trades
        }
        self.volume = volume.value
        self.quoteVolume = quoteVolume.value
        self.trades = trades
        vwap = self.volume > 0 ? self.quoteVolume / self.volume : nil
        averageTradeSize = trades > 0 ? self.volume / Double(trades) : nil

        var amihudSum = 0.0
        var amihudCount = 0
        if bars.count >= 2 {
            for t in 1..<bars.count where bars[t].quoteVolume > 0 && bars[t].close > 0 && bars[t - 1].close > 0 {
                amihudSum += abs(log(bars[t].close) - log(bars[t - 1].close)) / bars[t].quoteVolume
                amihudCount += 1
            }
        }
        amihud = amihudCount > 0 ? amihudSum / Double(amihudCount) : nil

        rollSpread = nil
        if bars.count >= 4 {
            let dc = Descriptive.differences(bars.map(\.close))
            let current = Array(dc.dropFirst())
            let previous = Array(dc.dropLast())
            if let cov = Descriptive.covariance(current, previous), cov < 0 {
                rollSpread = 2 * (-cov).squareRoot()
            }
        }
    }
}
