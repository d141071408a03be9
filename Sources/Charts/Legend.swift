/// One entry of a legend: a swatch and a label.
public struct LegendItem: Sendable, Hashable {
    /// How the swatch is drawn.
    public enum Swatch: Sendable, Hashable {
        /// A short line (series).
        case line(dashed: Bool)
        /// A filled square (bars, bands, areas).
        case box
    }

    /// Text after the swatch.
    public var label: String
    /// Swatch colour.
    public var color: Color
    /// Line or box.
    public var swatch: Swatch

    /// Creates a legend entry.
    public init(label: String, color: Color, swatch: Swatch = .line(dashed: false)) {
        self.label = label
        self.color = color
        self.swatch = swatch
    }
}

/// A legend laid out as rows of items that wrap within a width.
public struct Legend: Sendable, Hashable {
    /// Where each item was placed (its swatch and label together).
    public struct Placement: Sendable, Hashable {
        /// The entry.
        public var item: LegendItem
        /// Box of swatch and label.
        public var frame: Rect
    }

    /// Entries in reading order with their boxes.
    public var placements: [Placement]
    /// Total height used.
    public var height: Double

    static let swatchWidth = 18.0
    static let swatchGap = 5.0
    static let itemGap = 16.0

    /// Lays out `items` in rows starting at the top-left of `rect`, wrapping at its width.
    public init(items: [LegendItem], in rect: Rect, on canvas: Canvas, theme: Theme) {
        var placements: [Placement] = []
        var x = rect.minX, y = rect.minY
        let lineHeight = canvas.measure("Ag", font: theme.legendFont).height
        for item in items {
            let w = Self.swatchWidth + Self.swatchGap + canvas.measure(item.label, font: theme.legendFont).width
            if x > rect.minX, x + w > rect.maxX {
                x = rect.minX
                y += lineHeight + 4
            }
            placements.append(Placement(item: item, frame: Rect(x: x, y: y, width: w, height: lineHeight)))
            x += w + Self.itemGap
        }
        self.placements = placements
        self.height = items.isEmpty ? 0 : y + lineHeight - rect.minY
    }

    /// Draws the swatches and labels.
    public func draw(on canvas: Canvas, theme: Theme) {
        for p in placements {
            let midY = p.frame.midY
            switch p.item.swatch {
            case let .line(dashed):
                let y = canvas.crisp(midY, lineWidth: 2)
                canvas.line(from: Point(x: p.frame.minX, y: y), to: Point(x: p.frame.minX + Self.swatchWidth, y: y),
                            color: p.item.color, style: dashed ? .dashed(1.5, on: 4, off: 2.5) : .solid(2.5))
            case .box:
                canvas.fill(Rect(x: p.frame.minX + 3, y: midY - 5, width: Self.swatchWidth - 6, height: 10), color: p.item.color)
            }
            canvas.drawText(p.item.label, at: Point(x: p.frame.minX + Self.swatchWidth + Self.swatchGap, y: midY),
                            font: theme.legendFont, color: theme.text, anchor: .leading)
        }
    }
}
