import Foundation

/// The shared layout of every time-series chart: header, one or more stacked panels sharing a UTC
/// time axis at the bottom, value axes on the right with last-value tags.
///
/// Charts describe their panels (``Panel``), get a layout, draw the grid, draw their data clipped
/// to each panel's plot rectangle, then draw the axes. Tests read ticks and labels from it.
public struct TimeChartLayout: Sendable, Hashable {
    /// What a chart asks of one panel.
    public struct Panel: Sendable, Hashable {
        /// Share of the available height.
        public var weight: Double
        /// Data range to show (nil when the panel has no finite value).
        public var dataRange: ClosedRange<Double>?
        /// The value axis of the panel.
        public var axis: ValueAxisSpec
        /// Last-value tags on the axis.
        public var tags: [ValueTag]

        /// Creates a panel request.
        public init(weight: Double, dataRange: ClosedRange<Double>?, axis: ValueAxisSpec, tags: [ValueTag] = []) {
            self.weight = weight
            self.dataRange = dataRange
            self.axis = axis
            self.tags = tags
        }
    }

    /// A placed panel.
    public struct PlacedPanel: Sendable, Hashable {
        /// The plot rectangle (data is clipped to it).
        public var plot: Rect
        /// Its placed value axis.
        public var axis: ValueAxisLayout
    }

    /// The whole rectangle given to the chart.
    public var frame: Rect
    /// Title, subtitle and legend placement.
    public var header: ChartHeader.Layout
    /// Placed panels, top to bottom.
    public var panels: [PlacedPanel]
    /// The shared time axis under the last panel.
    public var timeAxis: TimeAxisLayout

    static let axisGap = 6.0
    static let tickLength = 4.0

    /// Lays out `panels` (top to bottom) for the instants `start…end` (ms since the epoch, UTC) in `rect`.
    public init(on canvas: Canvas, in rect: Rect, theme: Theme, header: ChartHeader,
                start: Int64, end: Int64, panels specs: [Panel]) {
        precondition(!specs.isEmpty, "a time chart has at least one panel")
        frame = rect
        let inner = rect.inset(by: EdgeInsets(all: theme.padding))
        self.header = header.layout(on: canvas, in: inner, theme: theme)
        let body = self.header.body
        let font = theme.tickFont
        let lineHeight = canvas.measure("0", font: font).height

        // Vertical budget: a label row above each panel that has a unit or offset, the time axis below.
        let xAxisHeight = Self.tickLength + 3 + lineHeight + 2 + lineHeight
        let totalWeight = specs.reduce(0) { $0 + max(0, $1.weight) }
        var headroom: [Double] = []
        var formatted: [(ValueTicks, TickFormatter.Labels, LinearScale)] = []
        for spec in specs {
            let hasRow = spec.axis.unit != nil
            headroom.append(hasRow ? lineHeight + 6 : lineHeight / 2 + 2)
        }
        let gaps = 8.0 * Double(specs.count - 1)
        let available = max(10, body.height - xAxisHeight - headroom.reduce(0, +) - gaps)

        // Value ticks per panel (they depend only on heights).
        var y = body.minY
        var plotsY: [(Double, Double)] = []
        for (i, spec) in specs.enumerated() {
            y += headroom[i]
            let h = available * max(0, spec.weight) / max(totalWeight, 1e-9)
            plotsY.append((y, y + h))
            let (lo, hi) = spec.axis.domain(lower: spec.dataRange?.lowerBound ?? 0, upper: spec.dataRange?.upperBound ?? 1)
            let maxTicks = min(10, max(2, Int(h / (lineHeight * 2.6))))
            let ticks = TickLocator(maxTicks: maxTicks).ticks(lower: lo, upper: hi)
            var labels = spec.axis.formatter.labels(for: ticks)
            if labels.offsetLabel != nil, spec.axis.unit == nil, headroom[i] < lineHeight + 6 {
                // An offset needs the label row; fall back to full labels rather than squeeze it in.
                labels = TickFormatter(style: spec.axis.formatter.style, offsetThreshold: 99).labels(for: ticks)
            }
            formatted.append((ticks, labels, LinearScale(domain: lo, hi, range: y + h, y)))
            y += h + 8
        }

        // Axis column width from the widest label, tag, unit or offset.
        var axisWidth = 0.0
        for (i, spec) in specs.enumerated() {
            let (ticks, labels, _) = formatted[i]
            for l in labels.labels { axisWidth = max(axisWidth, canvas.measure(l, font: font).width) }
            for tag in spec.tags {
                let text = spec.axis.formatter.label(tag.value, step: ticks.step, extraDecimals: 1)
                axisWidth = max(axisWidth, canvas.measure(text, font: font).width + 8)
            }
            if let unit = spec.axis.unit { axisWidth = max(axisWidth, canvas.measure(unit, font: font).width) }
        }
        axisWidth += Self.tickLength + Self.axisGap
        let plotMinX = body.minX, plotMaxX = max(body.minX + 10, body.maxX - axisWidth)

        // Place value axes.
        var placed: [PlacedPanel] = []
        for (i, spec) in specs.enumerated() {
            let (ticks, labels, scale) = formatted[i]
            let plot = Rect(x: plotMinX, y: plotsY[i].0, width: plotMaxX - plotMinX, height: plotsY[i].1 - plotsY[i].0)
            let labelX = plot.maxX + Self.tickLength + Self.axisGap
            var tags: [PlacedTag] = []
            for tag in spec.tags {
                let text = spec.axis.formatter.label(tag.value, step: ticks.step, extraDecimals: 1)
                let m = canvas.measure(text, font: font)
                let cy = min(plot.maxY, max(plot.minY, scale(tag.value)))
                tags.append(PlacedTag(tag: tag, text: text,
                                      frame: Rect(x: plot.maxX + 1, y: cy - m.height / 2 - 2,
                                                  width: labelX - plot.maxX - 1 + m.width + 4, height: m.height + 4)))
            }
            tags = Self.separate(tags, within: plot.minY - lineHeight / 2, plot.maxY + lineHeight / 2)
            var axisTicks: [AxisTick] = []
            for (k, v) in ticks.values.enumerated() {
                let pos = scale(v)
                let m = canvas.measure(labels.labels[k], font: font)
                let box = Canvas.box(of: m, anchoredAt: Point(x: labelX, y: pos), anchor: .leading)
                let hidden = tags.contains { $0.frame.intersects(box) }
                    || box.minY < plot.minY - headroom[i] || box.maxY > plot.maxY + (i == specs.count - 1 ? lineHeight : 4)
                axisTicks.append(AxisTick(value: v, position: pos, label: labels.labels[k], labelFrame: hidden ? nil : box))
            }
            placed.append(PlacedPanel(plot: plot, axis: ValueAxisLayout(
                scale: scale, step: ticks.step, ticks: axisTicks, offsetLabel: labels.offsetLabel,
                unit: spec.axis.unit, tags: tags)))
        }
        self.panels = placed

        // Time axis: the finest step whose measured labels do not collide.
        let xScale = TimeScale(start: start, end: end, range: plotMinX, plotMaxX)
        let labelTop = (placed.last?.plot.maxY ?? body.maxY) + Self.tickLength + 3
        let sample = canvas.measure("00:00:00", font: font).width
        let locator = TimeTickLocator(maxTicks: max(2, Int((plotMaxX - plotMinX) / (sample + 24))))
        var from = 0
        var timeTicks = locator.ticks(start: xScale.start, end: xScale.end)
        var axisTicks: [AxisTick] = []
        for _ in 0..<TimeTickLocator.steps.count {
            timeTicks = locator.ticks(start: xScale.start, end: xScale.end, from: from)
            axisTicks = timeTicks.values.enumerated().map { k, t in
                let x = xScale(t)
                let m = canvas.measure(timeTicks.labels[k], font: font)
                var box = Canvas.box(of: m, anchoredAt: Point(x: x, y: labelTop), anchor: .topCenter)
                // Labels at the ends slide inwards (by at most half their width) rather than leave the chart.
                let lower = rect.minX + 2, upper = plotMaxX + axisWidth
                if box.minX < lower { box.x = lower }
                if box.maxX > upper { box.x = upper - box.width }
                let fits = box.minX >= lower - 1e-9 && abs(box.midX - x) <= box.width / 2 + 1e-9
                return AxisTick(value: Double(t), position: x, label: timeTicks.labels[k], labelFrame: fits ? box : nil)
            }
            let frames = axisTicks.compactMap(\.labelFrame)
            let collides = zip(frames, frames.dropFirst()).contains { $0.maxX + 10 > $1.minX }
            if !collides { break }
            from = TimeTickLocator.index(of: timeTicks.step) + 1
        }
        let captionMetrics = canvas.measure(timeTicks.caption, font: font)
        let captionFrame = Canvas.box(of: captionMetrics, anchoredAt: Point(x: body.maxX, y: labelTop + lineHeight + 2),
                                      anchor: .topTrailing)
        timeAxis = TimeAxisLayout(scale: xScale, step: timeTicks.step, ticks: axisTicks, caption: timeTicks.caption,
                                  captionFrame: captionFrame)
    }

    /// Moves overlapping tags apart (sorted by position), keeping them within `top…bottom`.
    static func separate(_ tags: [PlacedTag], within top: Double, _ bottom: Double) -> [PlacedTag] {
        guard tags.count > 1 else { return tags }
        var sorted = tags.sorted { $0.frame.midY < $1.frame.midY }
        for i in 1..<sorted.count where sorted[i].frame.minY < sorted[i - 1].frame.maxY + 1 {
            sorted[i].frame.y = sorted[i - 1].frame.maxY + 1
        }
        if let last = sorted.last, last.frame.maxY > bottom {
            sorted[sorted.count - 1].frame.y = bottom - last.frame.height
            for i in stride(from: sorted.count - 2, through: 0, by: -1) where sorted[i].frame.maxY > sorted[i + 1].frame.minY - 1 {
                sorted[i].frame.y = sorted[i + 1].frame.minY - 1 - sorted[i].frame.height
            }
        }
        _ = top
        return sorted
    }

    // MARK: - Drawing

    /// Paints the background, header, plot backgrounds and gridlines (before the data).
    public func drawBackground(on canvas: Canvas, theme: Theme, header: ChartHeader) {
        canvas.fill(frame, color: theme.background)
        header.draw(self.header, on: canvas, theme: theme)
        var gridSegments: [(Point, Point)] = []
        for panel in panels {
            canvas.fill(panel.plot, color: theme.plotBackground)
            for t in panel.axis.ticks {
                let y = canvas.crisp(t.position)
                gridSegments.append((Point(x: panel.plot.minX, y: y), Point(x: panel.plot.maxX, y: y)))
            }
            for t in timeAxis.ticks {
                let x = canvas.crisp(t.position)
                gridSegments.append((Point(x: x, y: panel.plot.minY), Point(x: x, y: panel.plot.maxY)))
            }
        }
        canvas.segments(gridSegments, color: theme.grid, style: .solid(1))
    }

    /// Draws axis lines, tick marks, labels, units, the time caption and last-value tags (after the data).
    public func drawAxes(on canvas: Canvas, theme: Theme) {
        let font = theme.tickFont
        var axisSegments: [(Point, Point)] = []
        for panel in panels {
            let p = panel.plot
            let right = canvas.crisp(p.maxX), bottom = canvas.crisp(p.maxY)
            axisSegments.append((Point(x: right, y: p.minY), Point(x: right, y: p.maxY)))
            axisSegments.append((Point(x: p.minX, y: bottom), Point(x: p.maxX, y: bottom)))
            for t in panel.axis.ticks {
                let y = canvas.crisp(t.position)
                axisSegments.append((Point(x: p.maxX, y: y), Point(x: p.maxX + Self.tickLength, y: y)))
                if let f = t.labelFrame {
                    canvas.drawText(t.label, at: Point(x: f.minX, y: f.minY), font: font, color: theme.mutedText)
                }
            }
            if let unit = panel.axis.unit {
                canvas.drawText(unit, at: Point(x: p.maxX + Self.tickLength + Self.axisGap, y: p.minY - 4),
                                font: font, color: theme.mutedText, anchor: TextAnchor(.leading, .bottom))
            }
            // The offset of relative tick labels sits at the top end of the axis, inside the plot's width
            // (like matplotlib's offset text), in the label row above the plot.
            if let offset = panel.axis.offsetLabel {
                canvas.drawText(offset, at: Point(x: p.maxX - 2, y: p.minY - 4), font: font, color: theme.mutedText,
                                anchor: TextAnchor(.trailing, .bottom))
            }
        }
        if let last = panels.last {
            for t in timeAxis.ticks {
                let x = canvas.crisp(t.position)
                axisSegments.append((Point(x: x, y: last.plot.maxY), Point(x: x, y: last.plot.maxY + Self.tickLength)))
                if let f = t.labelFrame {
                    canvas.drawText(t.label, at: Point(x: f.minX, y: f.minY), font: font, color: theme.mutedText)
                }
            }
        }
        canvas.segments(axisSegments, color: theme.axis, style: .solid(1))
        if let f = timeAxis.captionFrame {
            canvas.drawText(timeAxis.caption, at: Point(x: f.minX, y: f.minY), font: font, color: theme.mutedText)
        }
        for panel in panels {
            for placed in panel.axis.tags {
                if let fromX = placed.tag.lineFromX {
                    let y = canvas.crisp(min(panel.plot.maxY, max(panel.plot.minY, panel.axis.scale(placed.tag.value))))
                    canvas.line(from: Point(x: fromX, y: y), to: Point(x: panel.plot.maxX, y: y),
                                color: placed.tag.color.withAlpha(0.8), style: .dashed(1, on: 2, off: 2))
                }
                canvas.fill(placed.frame, color: placed.tag.color)
                let textColor: Color = placed.tag.color.luminance > 0.4 ? theme.text : .white
                canvas.drawText(placed.text, at: Point(x: placed.frame.maxX - 4, y: placed.frame.midY), font: font,
                                color: textColor, anchor: .trailing)
            }
        }
    }
}
