import Foundation
import Market

/// Reduction of many points to one per device-pixel column, so that a week of 1 s bars draws
/// in time proportional to the chart's width, not the data (and without losing extremes).
enum ColumnAggregation {
    /// OHLC and volume of the bars that fall into one pixel column.
    struct Candle {
        var x0: Double
        var x1: Double
        var open: Double
        var high: Double
        var low: Double
        var close: Double
        var volume: Double
        var isUp: Bool { close >= open }
    }

    /// Bars to candles: one per bar when each bar gets at least `minimumWidth` device pixels, else one per device
    /// pixel column (OHLC of the column's bars, volume summed). O(n).
    static func candles(_ bars: [Bar], timeframe: Int64, x: TimeScale, scale: Double, minimumWidth: Double = 2) -> [Candle] {
        let slot = Double(timeframe) * x.unitsPerMillisecond
        if slot * scale >= minimumWidth {
            return bars.map {
                let a = x($0.openTime.milliseconds)
                return Candle(x0: a, x1: a + slot, open: $0.open, high: $0.high, low: $0.low, close: $0.close, volume: $0.volume)
            }
        }
        var out: [Candle] = []
        out.reserveCapacity(Int((x.rangeEnd - x.rangeStart) * scale) + 2)
        var column = Int.min
        for bar in bars {
            let c = Int(((x(bar.openTime.milliseconds + timeframe / 2) - x.rangeStart) * scale).rounded(.down))
            if c == column, !out.isEmpty {
                let i = out.count - 1
                if bar.high > out[i].high { out[i].high = bar.high }
                if bar.low < out[i].low { out[i].low = bar.low }
                out[i].close = bar.close
                out[i].volume += bar.volume
            } else {
                column = c
                let x0 = x.rangeStart + Double(c) / scale
                out.append(Candle(x0: x0, x1: x0 + 1 / scale, open: bar.open, high: bar.high, low: bar.low,
                                  close: bar.close, volume: bar.volume))
            }
        }
        return out
    }

    /// A line through `values` at `times` as canvas points, split into runs at `nil` (undefined) values.
    ///
    /// With more points than device columns, each column keeps its first, lowest, highest and last
    /// point (a min/max envelope), so spikes survive. O(n).
    static func runs(times: [Timestamp], values: [Double?], x: TimeScale, y: LinearScale, scale: Double) -> [[Point]] {
        let n = min(times.count, values.count)
        var runs: [[Point]] = []
        var run: [Point] = []
        let dense = Double(n) > (x.rangeEnd - x.rangeStart) * scale
        var column = Int.min
        var first = 0.0, low = 0.0, high = 0.0, last = 0.0, lowAt = 0, highAt = 0
        var columnX = 0.0

        /// Appends a column vertex unless it repeats the previous one (first == low is common; a zero-length
        /// segment only costs the stroker time).
        func vertex(_ value: Double) {
            let p = Point(x: columnX, y: y(value))
            if let previous = run.last, previous == p { return }
            run.append(p)
        }
        func flushColumn() {
            guard column != Int.min else { return }
            vertex(first)
            if lowAt <= highAt {
                vertex(low)
                vertex(high)
            } else {
                vertex(high)
                vertex(low)
            }
            vertex(last)
            column = Int.min
        }
        func endRun() {
            flushColumn()
            if !run.isEmpty { runs.append(run) }
            run = []
        }

        for i in 0..<n {
            guard let v = values[i], v.isFinite else {
                endRun()
                continue
            }
            let px = x(times[i].milliseconds)
            if !dense {
                run.append(Point(x: px, y: y(v)))
                continue
            }
            let c = Int(((px - x.rangeStart) * scale).rounded(.down))
            if c != column {
                flushColumn()
                column = c
                columnX = x.rangeStart + (Double(c) + 0.5) / scale
                first = v; low = v; high = v; last = v; lowAt = i; highAt = i
            } else {
                if v < low { low = v; lowAt = i }
                if v > high { high = v; highAt = i }
                last = v
            }
        }
        endRun()
        return runs
    }

    /// The pieces of `runs` whose segments reach into `region` widened by `margin` (vertically: a segment whose y-span
    /// meets the region's), each piece a maximal chain of such segments. Stroking the pieces (lines up to `2·margin`
    /// wide) or filling them to a horizontal edge of the region, clipped to `region`, paints what drawing the whole
    /// runs clipped to it would, for a region spanning the plot's width.
    static func pieces(of runs: [[Point]], reaching region: Rect, margin: Double = 2) -> [[Point]] {
        let top = region.minY - margin, bottom = region.maxY + margin
        var pieces: [[Point]] = []
        for run in runs {
            var piece: [Point] = []
            for i in run.indices.dropLast() {
                let a = run[i], b = run[i + 1]
                if min(a.y, b.y) <= bottom && max(a.y, b.y) >= top {
                    if piece.isEmpty { piece.append(a) }
                    piece.append(b)
                } else if !piece.isEmpty {
                    pieces.append(piece)
                    piece = []
                }
            }
            if !piece.isEmpty { pieces.append(piece) }
            if run.count == 1, let p = run.first, p.y >= top, p.y <= bottom { pieces.append(run) }
        }
        return pieces
    }

    /// Finite minimum and maximum of the defined values, or nil.
    static func range(_ values: [Double?]) -> ClosedRange<Double>? {
        var lo = Double.infinity, hi = -Double.infinity
        for case let v? in values where v.isFinite {
            if v < lo { lo = v }
            if v > hi { hi = v }
        }
        return lo <= hi ? lo...hi : nil
    }
}

extension ColumnAggregation {
    /// A point of a pair of smooth series (e.g. band centre and width) at canvas x.
    struct PairPoint {
        var x: Double
        var a: Double
        var b: Double
    }

    /// Pairs of values with both defined, split into runs at undefined values, keeping the last point
    /// per device column when there are more points than columns (for smooth, rolling series). O(n).
    static func decimated(times: [Timestamp], a: [Double?], b: [Double?], x: TimeScale, scale: Double) -> [[PairPoint]] {
        let n = min(times.count, a.count, b.count)
        let dense = Double(n) > (x.rangeEnd - x.rangeStart) * scale
        var runs: [[PairPoint]] = []
        var run: [PairPoint] = []
        var column = Int.min
        for i in 0..<n {
            guard let va = a[i], let vb = b[i], va.isFinite, vb.isFinite else {
                if !run.isEmpty { runs.append(run) }
                run = []
                column = Int.min
                continue
            }
            let px = x(times[i].milliseconds)
            let p = PairPoint(x: px, a: va, b: vb)
            if dense {
                let c = Int(((px - x.rangeStart) * scale).rounded(.down))
                if c == column, !run.isEmpty {
                    run[run.count - 1] = p
                    continue
                }
                column = c
            }
            run.append(p)
        }
        if !run.isEmpty { runs.append(run) }
        return runs
    }
}
