import Charts
import Market
import ReportEngine

/// A report cell's chart as data for the browser's chart library: the values the Cairo chart of the static report
/// draws (candles, lines with σ bands, reference and threshold lines, a heatmap's cells and colours), as columns.
///
/// Undefined values (a rolling statistic before its window fills, a non-finite number) are `null`.
struct ScriptPageChart: Encodable {
    /// `candlestick`, `line` or `heatmap`.
    var kind: String
    var title: String
    var subtitle: String?
    var caption: String?
    /// Height in CSS pixels that the static report gives the chart.
    var height: Int
    /// Candles (with volume) of a candlestick chart, thinned to the requested points.
    var bars: BarsBody?
    /// A line chart: the shared time axis (epoch ms, UTC), its lines, σ bands, horizontal lines, shaded breaches.
    var t: [Int64]?
    var series: [Line]?
    var bands: Bands?
    var references: [Reference]?
    var breaches: Breaches?
    /// A fixed value axis (e.g. −1.05…1.05 for a correlation), else chosen by the browser.
    var valueRange: [Double]?
    var unit: String?
    /// A heatmap: row and column labels, the values and the colour of each cell (`#rrggbb`).
    var labels: [String]?
    var values: [[Double?]]?
    var colors: [[String]]?
    var decimals: Int?

    struct Line: Encodable {
        var name: String
        var values: [Double?]
        var dashed: Bool
    }

    /// `center ± k·width` for each k of `multiples`, on the chart's time axis.
    struct Bands: Encodable {
        var center: [Double?]
        var width: [Double?]
        var multiples: [Double]
    }

    struct Reference: Encodable {
        var value: Double
        var label: String?
        var dashed: Bool
    }

    struct Breaches: Encodable {
        /// The line (by name) whose parts beyond the limits are shaded.
        var series: String
        var upper: Double?
        var lower: Double?
    }

    /// The chart of a report cell, or nil for a chart kind the page cannot show.
    init?(_ item: ChartItem, points: Int?) {
        height = item.height
        caption = item.caption
        switch item.chart {
        case let chart as CandlestickChart:
            kind = "candlestick"
            title = chart.title
            subtitle = chart.subtitle
            unit = chart.unit
            let all = chart.series.bars
            let bucket = Decimation.bucketSize(count: all.count, points: points)
            let range = TimeRange(start: all.first?.openTime ?? Timestamp(milliseconds: 0),
                                  end: all.last.map { $0.openTime + chart.series.timeframe.span } ?? Timestamp(milliseconds: 0))
            bars = BarsBody(symbol: chart.series.symbol, timeframe: chart.series.timeframe, range: range,
                            series: Decimation.candles(all, bucket: bucket))
        case let chart as LineChart:
            kind = "line"
            title = chart.title
            subtitle = chart.subtitle
            unit = chart.axis.unit
            valueRange = chart.axis.fixedDomain.map { [$0.lowerBound, $0.upperBound] }
            let axis = Self.timeAxis(chart)
            t = axis.map(\.milliseconds)
            series = chart.series.map { line in
                Line(name: line.name, values: Self.aligned(line.times, line.values, to: axis), dashed: line.dashed)
            }
            bands = chart.bands.map { b in
                Bands(center: Self.aligned(b.times, b.center, to: axis), width: Self.aligned(b.times, b.width, to: axis),
                      multiples: b.multiples)
            }
            references = chart.references.map { Reference(value: $0.value, label: $0.label, dashed: $0.dashed) }
            breaches = chart.breaches.flatMap { b in
                chart.series.indices.contains(b.seriesIndex)
                    ? Breaches(series: chart.series[b.seriesIndex].name, upper: b.upper, lower: b.lower) : nil
            }
        case let chart as Heatmap:
            kind = "heatmap"
            title = chart.title
            subtitle = chart.subtitle
            labels = chart.labels
            values = chart.values.map { row in row.map(Self.finite) }
            colors = chart.values.map { row in row.map { Self.hex(chart.color(for: $0)) } }
            valueRange = [chart.range.lowerBound, chart.range.upperBound]
            decimals = chart.decimals
        default:
            return nil
        }
    }

    /// Every instant of the chart's lines and bands, ascending.
    static func timeAxis(_ chart: LineChart) -> [Timestamp] {
        var times = Set<Timestamp>()
        for line in chart.series { times.formUnion(line.times) }
        if let bands = chart.bands { times.formUnion(bands.times) }
        return times.sorted()
    }

    /// `values` (one per instant of `times`) placed on `axis`, null where a line has no value.
    static func aligned(_ times: [Timestamp], _ values: [Double?], to axis: [Timestamp]) -> [Double?] {
        if times == axis { return values.map(finite) }
        var byTime: [Timestamp: Double] = [:]
        for (time, value) in zip(times, values) { byTime[time] = finite(value) }
        return axis.map { byTime[$0] }
    }

    static func finite(_ value: Double?) -> Double? {
        guard let value, value.isFinite else { return nil }
        return value
    }

    /// `#rrggbb` of an opaque colour.
    static func hex(_ color: Color) -> String {
        func byte(_ x: Double) -> String {
            let v = Int((min(1, max(0, x)) * 255).rounded())
            return (v < 16 ? "0" : "") + String(v, radix: 16)
        }
        return "#" + byte(color.red) + byte(color.green) + byte(color.blue)
    }
}
