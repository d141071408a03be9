import Market

// MARK: - The line-chart kinds of pairbook

extension LineChart {
    /// The spread of a pair with its (rolling or full-sample) mean and ±1σ/±2σ bands.
    ///
    /// - Parameters:
    ///   - title: e.g. `BTCUSDT/ETHUSDT spread`.
    ///   - times: instants (UTC) shared by all arrays.
    ///   - spread: y − β·x per instant (nil = undefined).
    ///   - mean: band centre per instant (nil before a rolling window fills).
    ///   - standardDeviation: σ per instant (sample, ddof = 1; nil before the window fills).
    ///   - unit: quote unit shown above the axis.
    public static func spread(title: String, subtitle: String? = nil, times: [Timestamp], spread: [Double?],
                              mean: [Double?], standardDeviation: [Double?], unit: String? = "USDT",
                              theme: Theme = .light) -> LineChart {
        let spreadSeries = LineSeries(name: "Spread", times: times, values: spread, color: theme.seriesColor(0))
        let meanSeries = LineSeries(name: "Mean", times: times, values: mean, color: theme.reference, dashed: true,
                                    showsLastValue: false)
        return LineChart(title: title, subtitle: subtitle, series: [spreadSeries, meanSeries],
                         bands: SigmaBands(times: times, center: mean, width: standardDeviation, multiples: [1, 2],
                                           color: theme.seriesColor(0)),
                         axis: ValueAxisSpec(unit: unit), theme: theme)
    }

    /// A z-score with threshold lines at ±`threshold` and the breaches beyond them shaded.
    ///
    /// The axis always shows both thresholds, even when the z-score stays inside them.
    public static func zScore(title: String, subtitle: String? = nil, times: [Timestamp], zScore: [Double?],
                              threshold: Double = 2, theme: Theme = .light) -> LineChart {
        let t = abs(threshold)
        let label = "±" + TickFormatter.format(t, decimals: max(1, min(3, TickFormatter.decimals(for: t))), grouping: false)
            + " threshold"
        return LineChart(title: title, subtitle: subtitle,
                         series: [LineSeries(name: "z-score", times: times, values: zScore, color: theme.seriesColor(0))],
                         references: [ReferenceLine(value: 0, color: theme.axis, dashed: false),
                                      ReferenceLine(value: t, label: label, color: theme.down),
                                      ReferenceLine(value: -t, label: label, color: theme.down)],
                         breaches: BreachShading(upper: t, lower: -t, color: theme.down, label: "beyond threshold"),
                         axis: ValueAxisSpec(unit: "σ", margin: 0.08), theme: theme)
    }

    /// A rolling correlation on a fixed −1…1 axis with a zero line.
    public static func rollingCorrelation(title: String, subtitle: String? = nil, times: [Timestamp],
                                          correlation: [Double?], theme: Theme = .light) -> LineChart {
        LineChart(title: title, subtitle: subtitle,
                  series: [LineSeries(name: "Correlation", times: times, values: correlation, color: theme.seriesColor(0))],
                  references: [ReferenceLine(value: 0, color: theme.axis, dashed: false)],
                  axis: ValueAxisSpec(fixedDomain: -1.05...1.05), theme: theme)
    }

    /// Close prices of several symbols rebased to 100 at each series' first bar, on a shared time axis.
    ///
    /// Series with no bars are listed in the legend but draw nothing.
    public static func normalisedPrices(title: String = "Prices rebased to 100", subtitle: String? = nil,
                                        series: [BarSeries], theme: Theme = .light) -> LineChart {
        let lines = series.enumerated().map { i, s in
            let base = s.bars.first?.close ?? 1
            return LineSeries(name: s.symbol.description, times: s.openTimes,
                              values: s.bars.map { base != 0 ? $0.close / base * 100 : nil }, color: theme.seriesColor(i))
        }
        var sub = subtitle
        if sub == nil, let a = series.compactMap({ $0.bars.first?.openTime }).min(),
           let b = series.compactMap({ $0.bars.last?.openTime }).max(), let tf = series.first?.timeframe {
            sub = TimeText.span(a, b + tf.span) + " · " + tf.description + " closes"
        }
        return LineChart(title: title, subtitle: sub, series: lines,
                         references: [ReferenceLine(value: 100, color: theme.axis, dashed: true)],
                         axis: ValueAxisSpec(), theme: theme)
    }
}
