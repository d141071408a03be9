import Market

/// One line of a ``LineChart``: values at instants, `nil` where the value is undefined (a gap in the line).
public struct LineSeries: Sendable, Hashable {
    /// Legend label.
    public var name: String
    /// Instants in ascending order (UTC).
    public var times: [Timestamp]
    /// One value per instant; nil = undefined (e.g. a rolling statistic before its window fills).
    public var values: [Double?]
    /// Colour; nil = the theme's palette colour for the series' position.
    public var color: Color?
    /// Whether the line is dashed (e.g. a mean).
    public var dashed: Bool
    /// Whether a last-value tag is drawn on the axis.
    public var showsLastValue: Bool

    /// Creates a series; `times` and `values` must have the same length.
    public init(name: String, times: [Timestamp], values: [Double?], color: Color? = nil, dashed: Bool = false,
                showsLastValue: Bool = true) {
        precondition(times.count == values.count, "one value per instant")
        self.name = name
        self.times = times
        self.values = values
        self.color = color
        self.dashed = dashed
        self.showsLastValue = showsLastValue
    }

    /// The last defined value and its instant.
    var lastDefined: (Timestamp, Double)? {
        for i in stride(from: values.count - 1, through: 0, by: -1) {
            if let v = values[i], v.isFinite { return (times[i], v) }
        }
        return nil
    }

    var definedCount: Int { values.reduce(0) { $0 + (($1?.isFinite ?? false) ? 1 : 0) } }
}

/// Shaded bands `center ± k·width` for each multiple k (e.g. mean ± 1σ and ± 2σ), drawn behind the lines.
public struct SigmaBands: Sendable, Hashable {
    /// Instants in ascending order (UTC).
    public var times: [Timestamp]
    /// Band centre per instant (nil = undefined).
    public var center: [Double?]
    /// Band half-width unit per instant, e.g. σ (nil = undefined).
    public var width: [Double?]
    /// Multiples of `width`, e.g. `[1, 2]`; widest drawn lightest.
    public var multiples: [Double]
    /// Band colour (drawn translucent); nil = the first palette colour.
    public var color: Color?

    /// Creates bands; `times`, `center` and `width` must have the same length.
    public init(times: [Timestamp], center: [Double?], width: [Double?], multiples: [Double] = [1, 2], color: Color? = nil) {
        precondition(times.count == center.count && times.count == width.count, "one centre and width per instant")
        self.times = times
        self.center = center
        self.width = width
        self.multiples = multiples.sorted()
        self.color = color
    }
}

/// A horizontal reference line across the plot (a mean, zero, a threshold).
public struct ReferenceLine: Sendable, Hashable {
    /// The value where the line is drawn.
    public var value: Double
    /// Legend label; nil = not in the legend.
    public var label: String?
    /// Line colour; nil = the theme's reference colour.
    public var color: Color?
    /// Whether the line is dashed.
    public var dashed: Bool

    /// Creates a reference line.
    public init(value: Double, label: String? = nil, color: Color? = nil, dashed: Bool = true) {
        self.value = value
        self.label = label
        self.color = color
        self.dashed = dashed
    }
}

/// Shading of the area between a series and a threshold wherever the series goes beyond it.
public struct BreachShading: Sendable, Hashable {
    /// Index of the series in ``LineChart/series``.
    public var seriesIndex: Int
    /// Shade where the series is above this value.
    public var upper: Double?
    /// Shade where the series is below this value.
    public var lower: Double?
    /// Shading and breach-line colour; nil = the theme's down colour.
    public var color: Color?
    /// Legend label; nil = not in the legend.
    public var label: String?

    /// Creates a shading spec; nil thresholds are not shaded.
    public init(seriesIndex: Int = 0, upper: Double?, lower: Double?, color: Color? = nil, label: String? = "breach") {
        self.seriesIndex = seriesIndex
        self.upper = upper
        self.lower = lower
        self.color = color
        self.label = label
    }
}

/// A time-series line chart: one or more lines, optional σ bands, reference lines and breach shading.
///
/// The spread, z-score, rolling-correlation and normalised-price charts are all line charts made by
/// the factory functions in `LineChart+Kinds.swift`. With more points than pixel columns each column
/// draws the min/max envelope of its points. Fewer than two defined points draw a "No data" frame.
public struct LineChart: Chart {
    /// Title above the chart.
    public var title: String
    /// Muted line under the title.
    public var subtitle: String?
    /// Lines, drawn in order (the first on the bottom).
    public var series: [LineSeries]
    /// σ bands drawn behind the lines.
    public var bands: SigmaBands?
    /// Horizontal reference lines; their values are always inside the axis domain.
    public var references: [ReferenceLine]
    /// Shading of a series beyond thresholds.
    public var breaches: BreachShading?
    /// The value axis: format, unit, fixed or data-driven domain.
    public var axis: ValueAxisSpec
    /// Colours and fonts.
    public var theme: Theme

    /// Creates a line chart; see the factory functions for the usual kinds.
    public init(title: String, subtitle: String? = nil, series: [LineSeries], bands: SigmaBands? = nil,
                references: [ReferenceLine] = [], breaches: BreachShading? = nil, axis: ValueAxisSpec = ValueAxisSpec(),
                theme: Theme = .light) {
        self.title = title
        self.subtitle = subtitle
        self.series = series
        self.bands = bands
        self.references = references
        self.breaches = breaches
        self.axis = axis
        self.theme = theme
    }

    // MARK: - Colours and legend

    func color(ofSeries i: Int) -> Color { series[i].color ?? theme.seriesColor(i) }
    var bandColor: Color { bands?.color ?? theme.seriesColor(0) }
    func color(of reference: ReferenceLine) -> Color { reference.color ?? theme.reference }
    var breachColor: Color { breaches?.color ?? theme.down }

    var legendItems: [LegendItem] {
        var items: [LegendItem] = []
        for (i, s) in series.enumerated() { items.append(LegendItem(label: s.name, color: color(ofSeries: i), swatch: .line(dashed: s.dashed))) }
        if let bands {
            for (k, m) in bands.multiples.enumerated() {
                items.append(LegendItem(label: "±" + TickFormatter.format(m, decimals: m == m.rounded() ? 0 : 1, grouping: false) + "σ",
                                        color: bandColor.withAlpha(bandAlpha(k, of: bands.multiples.count)), swatch: .box))
            }
        }
        var seen = Set<String>()
        for r in references {
            if let label = r.label, seen.insert(label).inserted {
                items.append(LegendItem(label: label, color: color(of: r), swatch: .line(dashed: r.dashed)))
            }
        }
        if let breaches, let label = breaches.label { items.append(LegendItem(label: label, color: breachColor.withAlpha(0.35), swatch: .box)) }
        return items
    }

    func bandAlpha(_ k: Int, of count: Int) -> Double { count <= 1 ? 0.18 : 0.10 + 0.12 * Double(count - 1 - k) / Double(count - 1) }

    var header: ChartHeader { ChartHeader(title: title, subtitle: subtitle, legendItems: legendItems) }
    var hasData: Bool { series.reduce(0) { $0 + $1.definedCount } >= 2 }

    // MARK: - Layout

    /// The layout for `rect`: one panel, its ticks and labels. Nil when there is no data.
    public func layout(on canvas: Canvas, in rect: Rect) -> TimeChartLayout? {
        guard hasData else { return nil }
        var start = Int64.max, end = Int64.min
        var ranges: [ClosedRange<Double>] = []
        for s in series {
            if let a = s.times.first, let b = s.times.last {
                start = min(start, a.milliseconds)
                end = max(end, b.milliseconds)
            }
            if let r = ColumnAggregation.range(s.values) { ranges.append(r) }
        }
        if let bands, let top = bands.multiples.last {
            let upper = zip(bands.center, bands.width).map { c, w in c.flatMap { c in w.map { c + top * $0 } } }
            let lower = zip(bands.center, bands.width).map { c, w in c.flatMap { c in w.map { c - top * $0 } } }
            if let r = ColumnAggregation.range(upper) { ranges.append(r) }
            if let r = ColumnAggregation.range(lower) { ranges.append(r) }
        }
        for r in references { ranges.append(r.value...r.value) }
        let lo = ranges.map(\.lowerBound).min() ?? 0, hi = ranges.map(\.upperBound).max() ?? 1
        var tags: [ValueTag] = []
        for (i, s) in series.enumerated() where s.showsLastValue {
            if let (_, v) = s.lastDefined { tags.append(ValueTag(value: v, color: color(ofSeries: i))) }
        }
        var layout = TimeChartLayout(on: canvas, in: rect, theme: theme, header: header, start: start, end: end,
                                     panels: [TimeChartLayout.Panel(weight: 1, dataRange: lo...hi, axis: axis, tags: tags)])
        // Dotted guides from each last point to its tag.
        let x = layout.timeAxis.scale
        var k = 0
        for s in series where s.showsLastValue {
            guard let (t, _) = s.lastDefined else { continue }
            if let idx = layout.panels[0].axis.tags.firstIndex(where: { $0.tag == tags[k] }) {
                layout.panels[0].axis.tags[idx].tag.lineFromX = x(t.milliseconds)
            }
            k += 1
        }
        return layout
    }

    // MARK: - Drawing

    /// Draws bands, shading, references, lines, axes and header into `rect`, or a "No data" frame.
    public func draw(on canvas: Canvas, in rect: Rect) {
        canvas.withClip(rect) { render(on: canvas, in: rect) }
    }

    private func render(on canvas: Canvas, in rect: Rect) {
        guard let layout = layout(on: canvas, in: rect) else {
            header.drawNoData(on: canvas, in: rect, theme: theme)
            return
        }
        layout.drawBackground(on: canvas, theme: theme, header: header)
        let panel = layout.panels[0]
        let x = layout.timeAxis.scale, y = panel.axis.scale, plot = panel.plot
        canvas.withClip(plot) {
            if let bands { drawBands(bands, on: canvas, x: x, y: y) }
            let runs = series.map { ColumnAggregation.runs(times: $0.times, values: $0.values, x: x, y: y, scale: canvas.scale) }
            // Breaches: the area between the line and the threshold, shaded beyond it.
            let breachRegions = breachRegions(plot: plot, y: y)
            // Only the stretches that reach into a region are filled and re-stroked there (clipping alone would
            // still make Cairo stroke the whole line once per region).
            let breachRuns = breachRegions.map { region, _ in
                breaches.map { runs.indices.contains($0.seriesIndex) ? ColumnAggregation.pieces(of: runs[$0.seriesIndex], reaching: region) : [] } ?? []
            }
            if let breaches, runs.indices.contains(breaches.seriesIndex) {
                for (k, (region, ty)) in breachRegions.enumerated() {
                    canvas.withClip(region) {
                        canvas.fillPolygons(breachRuns[k].compactMap { run in
                            guard let a = run.first, let b = run.last else { return nil }
                            return run + [Point(x: b.x, y: ty), Point(x: a.x, y: ty)]
                        }, color: breachColor.withAlpha(0.35))
                    }
                }
            }
            for r in references {
                let ry = canvas.crisp(y(r.value))
                canvas.line(from: Point(x: plot.minX, y: ry), to: Point(x: plot.maxX, y: ry), color: color(of: r),
                            style: r.dashed ? .dashed(1, on: 5, off: 3) : .solid(1))
            }
            for (i, s) in series.enumerated() {
                // Dense lines (more points than pixel columns) are drawn thinner so the envelope stays legible.
                let density = Double(s.values.count) / max(1, plot.width * canvas.scale)
                let width = density > 2 ? theme.lineWidth * 0.5 : density > 1 ? theme.lineWidth * 0.7 : theme.lineWidth
                let style: StrokeStyle = s.dashed ? .dashed(width, on: 5, off: 3) : .solid(width)
                canvas.polylines(runs[i], color: color(ofSeries: i), style: style)
                // The stretches beyond a threshold are redrawn in the breach colour, visible at any density.
                if let breaches, breaches.seriesIndex == i {
                    for (k, (region, _)) in breachRegions.enumerated() {
                        canvas.withClip(region) { canvas.polylines(breachRuns[k], color: breachColor, style: style) }
                    }
                }
            }
        }
        layout.drawAxes(on: canvas, theme: theme)
    }

    /// The parts of the plot beyond each breach threshold, with the threshold's y.
    private func breachRegions(plot: Rect, y: LinearScale) -> [(Rect, Double)] {
        guard let breaches else { return [] }
        var out: [(Rect, Double)] = []
        if let upper = breaches.upper {
            let ty = y(upper)
            out.append((Rect(x: plot.minX, y: plot.minY, width: plot.width, height: max(0, ty - plot.minY)), ty))
        }
        if let lower = breaches.lower {
            let ty = y(lower)
            out.append((Rect(x: plot.minX, y: ty, width: plot.width, height: max(0, plot.maxY - ty)), ty))
        }
        return out
    }

    private func drawBands(_ bands: SigmaBands, on canvas: Canvas, x: TimeScale, y: LinearScale) {
        let points = ColumnAggregation.decimated(times: bands.times, a: bands.center, b: bands.width, x: x, scale: canvas.scale)
        for (k, m) in bands.multiples.enumerated().reversed() {
            var polygons: [[Point]] = []
            for run in points {
                let upper = run.map { Point(x: $0.x, y: y($0.a + m * $0.b)) }
                let lower = run.reversed().map { Point(x: $0.x, y: y($0.a - m * $0.b)) }
                polygons.append(upper + lower)
            }
            canvas.fillPolygons(polygons, color: bandColor.withAlpha(bandAlpha(k, of: bands.multiples.count)))
        }
    }
}
