import Market

/// Pearson correlations of log returns across N symbols, on their common bar open times.
public struct CorrelationMatrix: Sendable, Hashable {
    /// Row and column order.
    public var symbols: [Symbol]
    /// `values[i][j]`: correlation of symbol i and symbol j; `nil` where a return series is constant.
    /// The diagonal is 1 unless the series is constant.
    public var values: [[Double?]]
    /// Number of returns used (common timestamps − 1).
    public var observations: Int

    /// Correlation of the log returns of `series`, joined on the open times common to all of them.
    ///
    /// Complexity: O(N·n log n) for the join plus O(N²·n) for the correlations.
    /// Oracle: `np.log(pd.concat(closes, axis=1, join="inner")).diff().corr()`.
    /// - Throws: ``AnalyticsError/tooFewObservations(what:needed:got:)`` with fewer than 3 common bars,
    ///   ``AnalyticsError/nonFiniteValue(what:index:)`` for a non-positive or non-finite price.
    public init(logReturnsOf series: [BarSeries]) throws {
        var common: Set<Timestamp>?
        for s in series {
            let times = Set(s.bars.lazy.map(\.openTime))
            common = common.map { $0.intersection(times) } ?? times
        }
        let times = (common ?? []).sorted()
        guard times.count >= 3 else {
            throw AnalyticsError.tooFewObservations(what: "correlation matrix", needed: 3, got: times.count)
        }
        let wanted = Set(times)
        var returns: [[Double]] = []
        for s in series {
            let closes = s.bars.filter { wanted.contains($0.openTime) }.map(\.close)
            try AnalyticsError.checkFinite(closes, "correlation matrix \(s.symbol)")
            returns.append(try strictLogReturns(closes, "correlation matrix \(s.symbol)"))
        }
        var values = [[Double?]](repeating: [Double?](repeating: nil, count: series.count), count: series.count)
        for i in series.indices {
            for j in i..<series.count {
                let r = Descriptive.correlation(returns[i], returns[j])
                values[i][j] = (i == j && r != nil) ? 1 : r
                values[j][i] = values[i][j]
            }
        }
        self.symbols = series.map(\.symbol)
        self.values = values
        self.observations = times.count - 1
    }
}
