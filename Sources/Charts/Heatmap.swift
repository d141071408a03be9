import Foundation

/// An N×N matrix (e.g. correlations of N symbols) as coloured cells with a diverging colour scale
/// centred at 0, the value printed in each cell, row and column labels and a colour bar.
///
/// Colours come from ``Theme/divergingColor(_:)`` after mapping ``range`` onto −1…1; undefined
/// (`nil`) cells are grey with an en dash. Cell values are printed when they fit, in black or white
/// for contrast. Fewer than two labels draw a "No data" frame.
///
/// ```swift
/// let m = try CorrelationMatrix(logReturnsOf: series)            // Analytics
/// let chart = Heatmap(title: "Correlation of 1m log returns",
///                     labels: m.symbols.map(\.description), values: m.values)
/// ```
public struct Heatmap: Chart {
    /// Title above the chart.
    public var title: String
    /// Muted line under the title.
    public var subtitle: String?
    /// Row and column labels (the same for a correlation matrix).
    public var labels: [String]
    /// `values[row][column]`; nil = undefined.
    public var values: [[Double?]]
    /// The value range mapped onto the colour scale; its midpoint gets the neutral colour.
    public var range: ClosedRange<Double>
    /// Decimals of the printed cell values.
    public var decimals: Int
    /// Caption of the colour bar.
    public var scaleLabel: String?
    /// Colours (the diverging scale) and fonts.
    public var theme: Theme

    /// Creates a heatmap of `values[row][column]` labelled by `labels`; the default range −1…1 suits correlations.
    public init(title: String, subtitle: String? = nil, labels: [String], values: [[Double?]],
                range: ClosedRange<Double> = -1...1, decimals: Int = 2, scaleLabel: String? = "Correlation",
                theme: Theme = .light) {
        self.title = title
        self.subtitle = subtitle
        self.labels = labels
        self.values = values
        self.range = range
        self.decimals = decimals
        self.scaleLabel = scaleLabel
        self.theme = theme
    }

    /// A placed heatmap: cells, their colours and texts, labels and colour bar.
    public struct Layout: Sendable, Hashable {
        /// Title, subtitle and legend placement.
        public var header: ChartHeader.Layout
        /// `cells[row][column]`.
        public var cells: [[Rect]]
        /// `colors[row][column]`.
        public var colors: [[Color]]
        /// `texts[row][column]`, nil when values do not fit in the cells.
        public var texts: [[String?]]
        /// Boxes of the row labels, right-aligned to the grid.
        public var rowLabelFrames: [Rect]
        /// Boxes of the column labels under the grid (tall boxes when rotated).
        public var columnLabelFrames: [Rect]
        /// Whether column labels are rotated to read upwards.
        public var columnLabelsRotated: Bool
        /// The colour bar rectangle (low value at the bottom).
        public var colorBar: Rect
        /// Ticks and labels of the colour bar.
        public var colorBarTicks: [AxisTick]
        /// Box of the colour bar caption.
        public var scaleLabelFrame: Rect?
        /// Font of the cell values (the theme's, up to 40 % larger in big cells).
        public var valueFont: Font
    }

    var header: ChartHeader { ChartHeader(title: title, subtitle: subtitle) }
    var n: Int { min(labels.count, values.count) }

    /// The colour of a value: the range's midpoint is neutral; nil is grey.
    public func color(for value: Double?) -> Color {
        guard let value, value.isFinite else { return theme.grid }
        let mid = (range.lowerBound + range.upperBound) / 2, half = (range.upperBound - range.lowerBound) / 2
        return theme.divergingColor(half > 0 ? (value - mid) / half : 0)
    }

    /// Lays the heatmap out in `rect`; nil for fewer than two rows.
    public func layout(on canvas: Canvas, in rect: Rect) -> Layout? {
        guard n >= 2 else { return nil }
        let inner = rect.inset(by: EdgeInsets(all: theme.padding))
        let headerLayout = header.layout(on: canvas, in: inner, theme: theme)
        let body = headerLayout.body
        let labelFont = theme.labelFont, tickFont = theme.tickFont
        let labelSizes = labels.prefix(n).map { canvas.measure($0, font: labelFont) }
        let maxLabelWidth = labelSizes.map(\.width).max() ?? 0
        let lineHeight = canvas.measure("0", font: labelFont).height

        // Colour bar: ticks on the range, labels to its right.
        let barTicks = TickLocator(maxTicks: 5).ticks(lower: range.lowerBound, upper: range.upperBound)
        let barLabels = TickFormatter().labels(for: barTicks)
        let barLabelWidth = barLabels.labels.map { canvas.measure($0, font: tickFont).width }.max() ?? 0
        let barWidth = 14.0, barGap = 18.0
        let barBlock = barGap + barWidth + 4 + barLabelWidth
        let rowLabelWidth = maxLabelWidth + 8
        let scaleLabelHeight = scaleLabel == nil ? lineHeight / 2 + 2 : lineHeight * 1.5 + 8

        func cellSize(columnLabelHeight: Double) -> Double {
            let w = (body.width - rowLabelWidth - barBlock) / Double(n)
            let h = (body.height - columnLabelHeight - scaleLabelHeight) / Double(n)
            return max(1, min(w, h, 150))
        }
        var rotated = false
        var cell = cellSize(columnLabelHeight: lineHeight + 6)
        if cell < maxLabelWidth + 6 {
            rotated = true
            cell = cellSize(columnLabelHeight: maxLabelWidth + 8)
        }
        let gridWidth = cell * Double(n)
        let blockWidth = rowLabelWidth + gridWidth + barBlock
        let left = body.minX + max(0, (body.width - blockWidth) / 2)
        let columnLabelHeight = rotated ? maxLabelWidth + 8 : lineHeight + 6
        let blockHeight = scaleLabelHeight + gridWidth + columnLabelHeight
        let top = body.minY + max(0, (body.height - blockHeight) / 2)
        let gridX = left + rowLabelWidth, gridY = top + scaleLabelHeight

        var cells: [[Rect]] = [], colors: [[Color]] = [], texts: [[String?]] = []
        var valueFont = theme.cellFont
        valueFont.size *= min(1.4, max(1, cell / 70))
        let sample = canvas.measure("-0." + String(repeating: "0", count: max(0, decimals)), font: valueFont)
        let valuesFit = sample.width <= cell - 6 && sample.height <= cell - 2
        for r in 0..<n {
            var rowCells: [Rect] = [], rowColors: [Color] = [], rowTexts: [String?] = []
            for c in 0..<n {
                let v = c < values[r].count ? values[r][c] : nil
                rowCells.append(Rect(x: gridX + Double(c) * cell, y: gridY + Double(r) * cell, width: cell, height: cell))
                rowColors.append(color(for: v))
                if valuesFit {
                    rowTexts.append(v.flatMap { $0.isFinite ? TickFormatter.format($0, decimals: decimals, grouping: false) : nil } ?? "–")
                } else {
                    rowTexts.append(nil)
                }
            }
            cells.append(rowCells)
            colors.append(rowColors)
            texts.append(rowTexts)
        }
        let rowLabelFrames = (0..<n).map { r in
            Canvas.box(of: labelSizes[r], anchoredAt: Point(x: gridX - 6, y: gridY + (Double(r) + 0.5) * cell), anchor: .trailing)
        }
        let columnLabelFrames = (0..<n).map { c -> Rect in
            let cx = gridX + (Double(c) + 0.5) * cell, top = gridY + gridWidth + 5
            if rotated {
                return Rect(x: cx - labelSizes[c].height / 2, y: top, width: labelSizes[c].height, height: labelSizes[c].width)
            }
            return Canvas.box(of: labelSizes[c], anchoredAt: Point(x: cx, y: top), anchor: .topCenter)
        }
        let bar = Rect(x: gridX + gridWidth + barGap, y: gridY, width: barWidth, height: gridWidth)
        let barScale = LinearScale(domain: range.lowerBound, range.upperBound, range: bar.maxY, bar.minY)
        let barAxisTicks = barTicks.values.enumerated().map { k, v in
            let m = canvas.measure(barLabels.labels[k], font: tickFont)
            return AxisTick(value: v, position: barScale(v), label: barLabels.labels[k],
                            labelFrame: Canvas.box(of: m, anchoredAt: Point(x: bar.maxX + 4 + 3, y: barScale(v)), anchor: .leading))
        }
        var scaleLabelFrame: Rect? = nil
        if let scaleLabel {
            let m = canvas.measure(scaleLabel, font: tickFont)
            scaleLabelFrame = Canvas.box(of: m, anchoredAt: Point(x: min(bar.minX, inner.maxX - m.width), y: bar.minY - lineHeight / 2 - 4),
                                         anchor: TextAnchor(.leading, .bottom))
        }
        return Layout(header: headerLayout, cells: cells, colors: colors, texts: texts, rowLabelFrames: rowLabelFrames,
                      columnLabelFrames: columnLabelFrames, columnLabelsRotated: rotated, colorBar: bar,
                      colorBarTicks: barAxisTicks, scaleLabelFrame: scaleLabelFrame, valueFont: valueFont)
    }

    /// Draws cells, values, labels and colour bar into `rect`, or a "No data" frame for fewer than two rows.
    public func draw(on canvas: Canvas, in rect: Rect) {
        canvas.withClip(rect) { render(on: canvas, in: rect) }
    }

    private func render(on canvas: Canvas, in rect: Rect) {
        guard let l = layout(on: canvas, in: rect) else {
            header.drawNoData(on: canvas, in: rect, theme: theme)
            return
        }
        canvas.fill(rect, color: theme.background)
        header.draw(l.header, on: canvas, theme: theme)
        for r in l.cells.indices {
            for c in l.cells[r].indices {
                let cell = l.cells[r][c]
                canvas.fill(Rect(x: canvas.snap(cell.minX), y: canvas.snap(cell.minY),
                                 width: canvas.snap(cell.maxX) - canvas.snap(cell.minX),
                                 height: canvas.snap(cell.maxY) - canvas.snap(cell.minY)), color: l.colors[r][c])
                if let text = l.texts[r][c] {
                    let ink: Color = l.colors[r][c].luminance < 0.3 ? .white : theme.text
                    canvas.drawText(text, at: Point(x: cell.midX, y: cell.midY), font: l.valueFont, color: ink, anchor: .center)
                }
            }
        }
        // Thin white separators between cells.
        if let first = l.cells.first?.first, let last = l.cells.last?.last {
            var seps: [(Point, Point)] = []
            for k in 1..<l.cells.count {
                let x = canvas.crisp(l.cells[0][k].minX), y = canvas.crisp(l.cells[k][0].minY)
                seps.append((Point(x: x, y: first.minY), Point(x: x, y: last.maxY)))
                seps.append((Point(x: first.minX, y: y), Point(x: last.maxX, y: y)))
            }
            if first.width >= 8 { canvas.segments(seps, color: theme.background, style: .solid(1)) }
        }
        for (r, f) in l.rowLabelFrames.enumerated() {
            canvas.drawText(labels[r], at: Point(x: f.minX, y: f.minY), font: theme.labelFont, color: theme.text)
        }
        for (c, f) in l.columnLabelFrames.enumerated() {
            if l.columnLabelsRotated {
                canvas.drawText(labels[c], at: Point(x: f.midX, y: f.minY), font: theme.labelFont, color: theme.text,
                                anchor: TextAnchor(.trailing, .middle), rotation: -Double.pi / 2)
            } else {
                canvas.drawText(labels[c], at: Point(x: f.minX, y: f.minY), font: theme.labelFont, color: theme.text)
            }
        }
        // Colour bar: gradient from the low end (bottom) through neutral to the high end (top).
        let bar = l.colorBar
        let stops = stride(from: 0.0, through: 1.0, by: 0.125).map { t in
            (offset: t, color: color(for: range.lowerBound + t * (range.upperBound - range.lowerBound)))
        }
        canvas.fill(bar, gradientFrom: Point(x: bar.minX, y: bar.maxY), to: Point(x: bar.minX, y: bar.minY), stops: stops)
        canvas.stroke(Rect(x: canvas.crisp(bar.minX), y: canvas.crisp(bar.minY), width: canvas.snap(bar.width),
                           height: canvas.snap(bar.height)), color: theme.axis)
        var tickSegments: [(Point, Point)] = []
        for t in l.colorBarTicks {
            let y = canvas.crisp(t.position)
            tickSegments.append((Point(x: bar.maxX, y: y), Point(x: bar.maxX + 4, y: y)))
            if let f = t.labelFrame {
                canvas.drawText(t.label, at: Point(x: f.minX, y: f.minY), font: theme.tickFont, color: theme.mutedText)
            }
        }
        canvas.segments(tickSegments, color: theme.axis)
        if let scaleLabel, let f = l.scaleLabelFrame {
            canvas.drawText(scaleLabel, at: Point(x: f.minX, y: f.minY), font: theme.tickFont, color: theme.mutedText)
        }
    }
}
