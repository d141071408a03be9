import Analytics
import Market
import Storage

extension PairAnalysis {
    /// One `analytics_results` row per aligned bar (the whole-window ADF p-value and half-life on every row).
    public var resultRecords: [AnalyticsResultRecord] {
        let s = series
        let pair = "\(base.name)/\(quote.name)"
        return s.timestamps.indices.map { i in
            AnalyticsResultRecord(
                symbolPair: pair, timeframe: timeframe, time: s.timestamps[i], hedgeRatio: s.hedgeRatio[i],
                intercept: s.intercept[i], spread: s.spread[i], zScore: s.zScore[i], correlation: s.priceCorrelation[i],
                adfStatistic: adf?.statistic, adfPValue: adf?.pValue, spreadMean: s.spreadMean[i],
                spreadStd: s.spreadStandardDeviation[i], halfLife: halfLife)
        }
    }
}
