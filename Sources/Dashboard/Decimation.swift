import Analytics
import Market
import Storage

/// Thins a series for a chart a few thousand pixels wide, keeping every bucket's extremes.
///
/// A day of one-second bars is 86,400 candles; a chart 1,400 pixels wide shows about as many columns. Bars are merged
/// into candles of `bucket` consecutive bars (open of the first, highest high, lowest low, close of the last, summed
/// volume; `Store.candles(for:timeframe:in:bucket:)` merges them as it reads), so the envelope a trader sees is
/// exactly that of every bar. Line series keep each bucket's minimum and maximum in time order (two rows per
/// bucket). O(n) in the number of input points.
enum Decimation {
    /// Bars per output point so that `count` points become at most about `points`; 1 when no thinning is needed.
    static func bucketSize(count: Int, points: Int?) -> Int {
        guard let points, points > 0, count > points else { return 1 }
        return (count + points - 1) / points
    }

    /// Bars already in memory (a script page's chart) merged `bucket` consecutive bars at a time, as
    /// `Store.candles(for:timeframe:in:bucket:)` merges them while reading.
    static func candles(_ bars: [Bar], bucket: Int) -> CandleSeries {
        guard bucket > 1 else { return CandleSeries(count: bars.count, bucket: 1, candles: bars) }
        var out: [Bar] = []
        out.reserveCapacity(bars.count / bucket + 1)
        for (index, bar) in bars.enumerated() {
            if index % bucket == 0 { out.append(bar) } else { out[out.count - 1].merge(bar) }
        }
        return CandleSeries(count: bars.count, bucket: bucket, candles: out)
    }

    /// The pair analysis with its per-bar series thinned: each bucket of `bucket` aligned bars becomes two rows (its
    /// first and last timestamps) holding, for every series, the bucket's extremes in the order they occur.
    static func pairSeries(_ series: PairAnalysis.Series, bucket: Int) -> PairAnalysis.Series {
        guard bucket > 1 else { return series }
        let n = series.timestamps.count
        var rows: [(first: Int, last: Int)] = []
        var start = 0
        while start < n {
            let end = min(start + bucket, n)
            rows.append((start, end - 1))
            start = end
        }
        func thin(_ values: [Double?]) -> [Double?] {
            var out: [Double?] = []
            out.reserveCapacity(rows.count * 2)
            for (first, last) in rows {
                var low: (index: Int, value: Double)?, high: (index: Int, value: Double)?
                for i in first...last {
                    guard let v = values[i], v.isFinite else { continue }
                    if v < low?.value ?? .infinity { low = (i, v) }
                    if v > high?.value ?? -.infinity { high = (i, v) }
                }
                guard let low, let high else {
                    out.append(nil)
                    if first != last { out.append(nil) }
                    continue
                }
                let (a, b) = low.index <= high.index ? (low.value, high.value) : (high.value, low.value)
                out.append(a)
                if first != last { out.append(b) }
            }
            return out
        }
        func thin(_ values: [Double]) -> [Double] { thin(values.map { Optional($0) }).map { $0 ?? .nan } }
        var times: [Timestamp] = []
        times.reserveCapacity(rows.count * 2)
        for (first, last) in rows {
            times.append(series.timestamps[first])
            if first != last { times.append(series.timestamps[last]) }
        }
        var out = series
        out.timestamps = times
        out.base = thin(series.base)
        out.quote = thin(series.quote)
        out.spread = thin(series.spread)
        out.spreadMean = thin(series.spreadMean)
        out.spreadStandardDeviation = thin(series.spreadStandardDeviation)
        out.zScore = thin(series.zScore)
        out.hedgeRatio = thin(series.hedgeRatio)
        out.intercept = thin(series.intercept)
        out.priceCorrelation = thin(series.priceCorrelation)
        out.returnCorrelation = thin(series.returnCorrelation)
        return out
    }
}
