import Market

/// A candlestick chart of one symbol's bars with a volume sub-panel.
///
/// Up candles (close ≥ open) use ``Theme/up``, down candles ``Theme/down``; wicks span low…high;
/// bodies are at least one device pixel. Volume bars take the colour of their candle. With more bars
/// than pixel columns, each column shows the OHLC of its bars (and their summed volume), so 604,800
/// one-second bars draw in milliseconds. A last-price tag sits on the price axis.
/// Fewer than two bars draw a "No data" frame.
///
/// ```swift
/// let chart = CandlestickChart(series: try store.bars(for: btc, timeframe: .oneMinute, in: range))
/// try chart.writePNG(to: "btc.png", size: Size(width: 1200, height: 700), scale: 2)
/// ```
public struct CandlestickChart: Chart {
    /// The bars drawn, in ascending open time.
    public var series: BarSeries
    /// Title above the chart.
    public var title: String
    /// Muted line under the title (span and bar count by default).
    public var subtitle: String?
    /// Quote unit shown above the price axis, e.g. `USDT`.
    public var unit: String?
    /// Whether to draw the volume sub-panel.
    public var showsVolume: Bool
    /// Colours and fonts.
    public var theme: Theme

    /// - Parameters:
    ///   - title: defaults to `"<SYMBOL> · <timeframe>"`.
    ///   - subtitle: defaults to the covered span in UTC and the bar count.
    public init(series: BarSeries, title: String? = nil, subtitle: String? = nil, unit: String? = "USDT",
                showsVolume: Bool = true, theme: Theme = .light) {
        self.series = series
        self.title = title ?? "\(series.symbol) · \(series.timeframe)"
        self.subtitle = subtitle ?? Self.defaultSubtitle(series)
        self.unit = unit
        self.showsVolume = showsVolume
        self.theme = theme
    }

    static func defaultSubtitle(_ series: BarSeries) -> String? {
        guard let first = series.bars.first, let last = series.bars.last else { return nil }
        let end = last.openTime + series.timeframe.span
        return TimeText.span(first.openTime, end) + " · " + TickFormatter.format(Double(series.count), decimals: 0, grouping: true) + " bars"
    }

    var header: ChartHeader { ChartHeader(title: title, subtitle: subtitle) }
    var hasData: Bool { series.bars.count >= 2 }

    /// The layout for `rect`: panels (price, then volume), ticks and labels. Nil when there is no data.
    ///
    /// When bars are aggregated per pixel column, the volume axis covers the columns' summed volumes.
    public func layout(on canvas: Canvas, in rect: Rect) -> TimeChartLayout? {
        layoutAndCandles(on: canvas, in: rect)?.layout
    }

    /// The layout and the candles to draw (one per bar, or one per device-pixel column). O(n).
    func layoutAndCandles(on canvas: Canvas, in rect: Rect) -> (layout: TimeChartLayout, candles: [ColumnAggregation.Candle])? {
        guard hasData, let last = series.bars.last else { return nil }
        var lo = Double.infinity, hi = -Double.infinity, maxVolume = 0.0
        for b in series.bars {
            if b.low < lo { lo = b.low }
            if b.high > hi { hi = b.high }
            if b.volume > maxVolume { maxVolume = b.volume }
        }
        let tf = series.timeframe.milliseconds
        var layout = makeLayout(on: canvas, in: rect, priceRange: lo...hi, maxVolume: maxVolume, lastBar: last)
        var candles = ColumnAggregation.candles(series.bars, timeframe: tf, x: layout.timeAxis.scale, scale: canvas.scale)
        if showsVolume, candles.count < series.bars.count {
            // Aggregated columns sum their bars' volume: size the volume axis for the columns, then place again.
            let columnMax = candles.reduce(0) { max($0, $1.volume) }
            layout = makeLayout(on: canvas, in: rect, priceRange: lo...hi, maxVolume: columnMax, lastBar: last)
            candles = ColumnAggregation.candles(series.bars, timeframe: tf, x: layout.timeAxis.scale, scale: canvas.scale)
        }
        return (layout, candles)
    }

    private func makeLayout(on canvas: Canvas, in rect: Rect, priceRange: ClosedRange<Double>, maxVolume: Double,
                            lastBar last: Bar) -> TimeChartLayout {
        let first = series.bars[0]
        var panels = [TimeChartLayout.Panel(
            weight: 3, dataRange: priceRange, axis: ValueAxisSpec(unit: unit),
            tags: [ValueTag(value: last.close, color: last.isUp ? theme.up : theme.down)])]
        if showsVolume {
            panels.append(TimeChartLayout.Panel(
                weight: 1, dataRange: 0...max(maxVolume, 1e-12),
                axis: ValueAxisSpec(formatter: TickFormatter(style: .compact), unit: "Volume", includesZero: true, margin: 0.08)))
        }
        return TimeChartLayout(on: canvas, in: rect, theme: theme, header: header, start: first.openTime.milliseconds,
                               end: last.openTime.milliseconds + series.timeframe.milliseconds, panels: panels)
    }

    /// Draws candles, volume, axes and header into `rect`, or a "No data" frame for fewer than two bars.
    public func draw(on canvas: Canvas, in rect: Rect) {
        canvas.withClip(rect) { render(on: canvas, in: rect) }
    }

    private func render(on canvas: Canvas, in rect: Rect) {
        guard let (layout, candles) = layoutAndCandles(on: canvas, in: rect) else {
            header.drawNoData(on: canvas, in: rect, theme: theme)
            return
        }
        layout.drawBackground(on: canvas, theme: theme, header: header)
        let price = layout.panels[0]
        let px = 1 / canvas.scale
        canvas.withClip(price.plot) {
            let y = price.axis.scale
            for up in [true, false] {
                var bodies: [Rect] = []
                var wicks: [Rect] = []
                bodies.reserveCapacity(candles.count)
                for c in candles where c.isUp == up {
                    let (left, width) = Self.column(of: c, on: canvas)
                    let top = canvas.snap(y(max(c.open, c.close))), bottom = canvas.snap(y(min(c.open, c.close)))
                    bodies.append(Rect(x: left, y: top, width: width, height: max(px, bottom - top)))
                    if width > px * 2.5 {
                        let wx = canvas.snap(left + width / 2 - px / 2)
                        let hiY = canvas.snap(y(c.high)), loY = canvas.snap(y(c.low))
                        wicks.append(Rect(x: wx, y: hiY, width: px, height: max(px, loY - hiY)))
                    } else {
                        let hiY = canvas.snap(y(c.high)), loY = canvas.snap(y(c.low))
                        wicks.append(Rect(x: left, y: hiY, width: width, height: max(px, loY - hiY)))
                    }
                }
                let color = up ? theme.up : theme.down
                canvas.fill(wicks, color: color)
                canvas.fill(bodies, color: color)
            }
        }
        if layout.panels.count > 1 {
            let volume = layout.panels[1]
            canvas.withClip(volume.plot) {
                let y = volume.axis.scale
                let base = canvas.snap(y(0))
                for up in [true, false] {
                    var rects: [Rect] = []
                    rects.reserveCapacity(candles.count)
                    for c in candles where c.isUp == up {
                        let (left, width) = Self.column(of: c, on: canvas)
                        let top = canvas.snap(y(c.volume))
                        rects.append(Rect(x: left, y: top, width: width, height: max(0, base - top)))
                    }
                    canvas.fill(rects, color: (up ? theme.up : theme.down).withAlpha(0.55))
                }
            }
        }
        layout.drawAxes(on: canvas, theme: theme)
    }

    /// Left edge and width, on the device-pixel grid, of a candle's body (and volume bar): 70 % of its slot
    /// when the slot is at least 3 device pixels wide, else the whole slot; never under one device pixel.
    static func column(of c: ColumnAggregation.Candle, on canvas: Canvas) -> (left: Double, width: Double) {
        let px = 1 / canvas.scale, slot = c.x1 - c.x0
        let width = slot * canvas.scale >= 3 ? canvas.snap(max(px, slot * 0.7)) : max(px, canvas.snap(slot))
        return (canvas.snap(c.x0 + (slot - width) / 2), width)
    }
}
