import Analytics
import Market

extension Array where Element == MetricSample {
    /// A pair metric's samples from a pair analysis: the rolling series per bar, or for whole-window statistics (ADF,
    /// half-life) one sample at the last bar. Empty for bar metrics.
    public init(_ metric: AlertMetric, in a: PairAnalysis) {
        let times = a.series.timestamps
        func last(_ v: Double?) -> [MetricSample] { times.last.map { [MetricSample(time: $0, value: v)] } ?? [] }
        switch metric {
        case .zScore: self.init(times: times, values: a.series.zScore)
        case .correlation: self.init(times: times, values: a.series.priceCorrelation)
        case .hedgeRatio: self.init(times: times, values: a.series.hedgeRatio)
        case .spread: self.init(times: times, values: a.series.spread.map { Optional($0) })
        case .adfPValue: self = last(a.adf?.pValue)
        case .adfStatistic: self = last(a.adf?.statistic)
        case .halfLife: self = last(a.halfLife)
        case .volume, .quoteVolume, .close, .trades: self = []
        }
    }

    /// A bar metric's samples (`volume`, `quote_volume`, `trades`, else `close`), one per bar.
    public init(_ metric: AlertMetric, in bars: [Bar]) {
        self = bars.map { bar in
            let value: Double = switch metric {
            case .volume: bar.volume
            case .quoteVolume: bar.quoteVolume
            case .trades: Double(bar.trades)
            default: bar.close
            }
            return MetricSample(time: bar.openTime, value: value)
        }
    }
}
