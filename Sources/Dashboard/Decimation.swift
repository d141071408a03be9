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

    /// The coarser stored timeframe to draw candles of `bucket` bars of `timeframe` from: the widest of `stored` that
    /// is a whole multiple of `timeframe` and no wider than a candle. A coarse bar is the merge of the fine bars it
    /// spans (the recorder writes every timeframe from the same trades), so candles merged from it have the highs,
    /// lows, opens, closes and volumes of their window, from a fraction of the rows: a day of 1 s bars thinned to
    /// ~1,200 candles reads 1,440 one-minute bars instead of 86,400.
    static func coarserSource(for timeframe: Timeframe, bucket: Int, stored: [Timeframe]) -> Timeframe? {
        guard bucket > 1 else { return nil }
        let width = timeframe.milliseconds * Int64(bucket)
        return stored
            .filter { $0.milliseconds > timeframe.milliseconds && $0.milliseconds % timeframe.milliseconds == 0 && $0.milliseconds <= width }
            .max { $0.milliseconds < $1.milliseconds }
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
            guard !values.isEmpty else { return [] }  // a series the page did not ask for
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

extension DashboardStore {
    /// The bars of `symbol` at `timeframe` in `range` as about `points` candles (every bar when `points` is nil), for
    /// `/api/bars`. Wide candles are merged from a coarser stored timeframe (``Decimation/coarserSource(for:bucket:stored:)``)
    /// over the aligned middle of the range, and from the fine bars over the partial head and tail, so each candle
    /// still holds exactly the bars of its window; when the coarse bars are missing there, the fine bars are read.
    func candles(for symbol: Symbol, timeframe: Timeframe, in range: TimeRange, points: Int?) throws -> CandleSeries {
        let count = try barCount(for: symbol, timeframe: timeframe, in: range)
        let bucket = Decimation.bucketSize(count: count, points: points)
        let fine = { (part: TimeRange) in try self.candles(for: symbol, timeframe: timeframe, in: part) { _ in bucket } }
        guard let coarse = Decimation.coarserSource(for: timeframe, bucket: bucket, stored: Timeframe.defaults) else {
            return try fine(range)
        }
        let c = coarse.milliseconds
        let (start, end) = (range.start.milliseconds, range.end.milliseconds)
        let alignedStart = start % c == 0 ? start : (start / c + (start > 0 ? 1 : 0)) * c
        let alignedEnd = end - ((end % c) + c) % c
        guard alignedStart < alignedEnd else { return try fine(range) }
        let middle = TimeRange(start: Timestamp(milliseconds: alignedStart), end: Timestamp(milliseconds: alignedEnd))
        let head = try fine(TimeRange(start: range.start, end: middle.start))
        let tail = try fine(TimeRange(start: middle.end, end: range.end))
        let perCandle = max(1, Int(Int64(bucket) * timeframe.milliseconds / c))
        let body = try self.candles(for: symbol, timeframe: coarse, in: middle) { _ in perCandle }
        // Fine bars in the middle without coarse bars to stand for them: read the fine ones after all.
        if body.count == 0 && count > head.count + tail.count { return try fine(range) }
        return CandleSeries(count: count, bucket: bucket, candles: head.candles + body.candles + tail.candles)
    }
}
