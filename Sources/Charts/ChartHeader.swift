/// The top of every chart: title, subtitle and legend, and the body rectangle left below them.
public struct ChartHeader: Sendable, Hashable {
    /// Bold title; wraps to several lines rather than being clipped.
    public var title: String
    /// Muted line under the title.
    public var subtitle: String?
    /// Legend entries shown in a row under the subtitle.
    public var legendItems: [LegendItem]

    /// Creates a header.
    public init(title: String, subtitle: String? = nil, legendItems: [LegendItem] = []) {
        self.title = title
        self.subtitle = subtitle
        self.legendItems = legendItems
    }

    /// Where the header's parts go within a chart rectangle.
    public struct Layout: Sendable, Hashable {
        /// Box of the (possibly wrapped) title.
        public var titleFrame: Rect
        /// Box of the subtitle, if any.
        public var subtitleFrame: Rect?
        /// The laid-out legend (empty when there are no items).
        public var legend: Legend
        /// What is left for plots and axes.
        public var body: Rect
    }

    /// Lays the header out at the top of `rect` (already inset by the padding); titles wrap rather than clip.
    public func layout(on canvas: Canvas, in rect: Rect, theme: Theme) -> Layout {
        var y = rect.minY
        let t = canvas.measure(title, font: theme.titleFont, wrapWidth: rect.width)
        let titleFrame = Rect(x: rect.minX, y: y, width: rect.width, height: t.height)
        y += t.height
        var subtitleFrame: Rect? = nil
        if let subtitle, !subtitle.isEmpty {
            y += 2
            let s = canvas.measure(subtitle, font: theme.subtitleFont, wrapWidth: rect.width)
            subtitleFrame = Rect(x: rect.minX, y: y, width: rect.width, height: s.height)
            y += s.height
        }
        y += 8
        let legend = Legend(items: legendItems, in: Rect(x: rect.minX, y: y, width: rect.width, height: 0),
                            on: canvas, theme: theme)
        if legend.height > 0 { y += legend.height + 8 }
        return Layout(titleFrame: titleFrame, subtitleFrame: subtitleFrame, legend: legend,
                      body: Rect(x: rect.minX, y: y, width: rect.width, height: max(0, rect.maxY - y)))
    }

    /// Draws title, subtitle and legend at their laid-out places.
    public func draw(_ layout: Layout, on canvas: Canvas, theme: Theme) {
        canvas.drawParagraph(title, in: layout.titleFrame, font: theme.titleFont, color: theme.text)
        if let subtitle, let frame = layout.subtitleFrame {
            canvas.drawParagraph(subtitle, in: frame, font: theme.subtitleFont, color: theme.mutedText)
        }
        layout.legend.draw(on: canvas, theme: theme)
    }

    /// Draws the header and a framed, empty plot saying "No data" (for empty or one-point inputs).
    public func drawNoData(on canvas: Canvas, in rect: Rect, theme: Theme, message: String = "No data") {
        canvas.fill(rect, color: theme.background)
        let inner = rect.inset(by: EdgeInsets(all: theme.padding))
        let header = ChartHeader(title: title, subtitle: subtitle, legendItems: [])
        let l = header.layout(on: canvas, in: inner, theme: theme)
        header.draw(l, on: canvas, theme: theme)
        let plot = l.body
        guard plot.width > 2, plot.height > 2 else { return }
        canvas.fill(plot, color: theme.plotBackground)
        let x0 = canvas.crisp(plot.minX), x1 = canvas.crisp(plot.maxX), y0 = canvas.crisp(plot.minY), y1 = canvas.crisp(plot.maxY)
        canvas.stroke(Rect(x: x0, y: y0, width: x1 - x0, height: y1 - y0), color: theme.grid)
        canvas.drawText(message, at: Point(x: plot.midX, y: plot.midY), font: theme.titleFont.bold,
                        color: theme.mutedText, anchor: .center)
    }
}
