import Analytics
import Charts
import Market

extension ChartCommand {
    /// Builds the chart spec from the loaded bars (pair statistics come from Analytics).
    func makeChart(_ series: [Symbol: BarSeries], range: TimeRange) throws -> any Chart {
        switch kind {
        case .candlestick:
            guard let symbol, let bars = series[symbol] else { throw ChartCommandError.missing("bars") }
            return CandlestickChart(series: bars, title: title)
        case .prices:
            let list = (symbols ?? []).compactMap { series[$0] }
            return LineChart.normalisedPrices(title: title ?? "Prices rebased to 100", series: list)
        case .heatmap:
            let list = (symbols ?? []).compactMap { series[$0] }
            let matrix = try CorrelationMatrix(logReturnsOf: list)
            return Heatmap(title: title ?? "Correlation of \(timeframe) log returns",
                           subtitle: "\(TimeText.span(range)) · \(matrix.observations) returns",
                           labels: matrix.symbols.map(\.name), values: matrix.values)
        case .spread, .zscore, .correlation:
            guard let pair, let base = series[pair.base], let quote = series[pair.quote] else {
                throw ChartCommandError.missing("bars of both legs")
            }
            let a = try PairAnalysis.compute(base: base, quote: quote, options: .init(window: window))
            let s = a.series
            let beta = TickFormatter.format(a.hedge.slope, decimals: 4, grouping: false)
            let subtitle = "\(TimeText.span(range)) · \(timeframe) · window \(window) bars" + (kind == .correlation ? "" : " · β = \(beta)")
            switch kind {
            case .spread:
                return LineChart.spread(title: title ?? "Spread \(pair.base) − β·\(pair.quote)", subtitle: subtitle,
                                        times: s.timestamps, spread: s.spread.map { Optional($0) }, mean: s.spreadMean,
                                        standardDeviation: s.spreadStandardDeviation)
            case .zscore:
                return LineChart.zScore(title: title ?? "z-score of the spread \(pair)", subtitle: subtitle,
                                        times: s.timestamps, zScore: s.zScore, threshold: threshold)
            default:
                return LineChart.rollingCorrelation(title: title ?? "Rolling correlation of log returns \(pair)",
                                                    subtitle: subtitle, times: s.timestamps,
                                                    correlation: s.returnCorrelation)
            }
        }
    }
}
