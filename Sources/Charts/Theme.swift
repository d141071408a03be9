/// Colours, fonts and line widths shared by every chart; injected into chart specs (no global state).
///
/// The default ``light`` theme uses the Okabe–Ito palette, which stays distinguishable for the
/// common forms of colour-vision deficiency, and a blue–white–red diverging scale (ColorBrewer RdBu).
public struct Theme: Sendable, Hashable {
    /// Whole-chart background.
    public var background: Color
    /// Plot-area background.
    public var plotBackground: Color
    /// Titles and primary text.
    public var text: Color
    /// Subtitles, tick labels, units and captions.
    public var mutedText: Color
    /// Gridlines.
    public var grid: Color
    /// Axis lines and the plot frame.
    public var axis: Color
    /// Up candles and rising volume.
    public var up: Color
    /// Down candles and falling volume.
    public var down: Color
    /// Series colours in order of use.
    public var palette: [Color]
    /// Reference lines (means, zero).
    public var reference: Color
    /// Diverging scale: colour at −1, 0 and +1.
    public var divergingLow: Color
    /// Diverging-scale colour at 0.
    public var divergingMid: Color
    /// Diverging-scale colour at +1.
    public var divergingHigh: Color

    /// Chart titles.
    public var titleFont: Font
    /// Subtitles.
    public var subtitleFont: Font
    /// Tick labels, units, captions and value tags.
    public var tickFont: Font
    /// Category labels (heatmap rows and columns).
    public var labelFont: Font
    /// Legend entries.
    public var legendFont: Font
    /// Values printed inside heatmap cells.
    public var cellFont: Font
    /// Width of data lines.
    public var lineWidth: Double
    /// Outer padding around a chart, in canvas units.
    public var padding: Double

    /// Creates a theme; `palette` must not be empty.
    public init(background: Color, plotBackground: Color, text: Color, mutedText: Color, grid: Color, axis: Color,
                up: Color, down: Color, palette: [Color], reference: Color,
                divergingLow: Color, divergingMid: Color, divergingHigh: Color,
                titleFont: Font, subtitleFont: Font, tickFont: Font, labelFont: Font, legendFont: Font, cellFont: Font,
                lineWidth: Double, padding: Double) {
        precondition(!palette.isEmpty, "a theme needs at least one series colour")
        self.background = background
        self.plotBackground = plotBackground
        self.text = text
        self.mutedText = mutedText
        self.grid = grid
        self.axis = axis
        self.up = up
        self.down = down
        self.palette = palette
        self.reference = reference
        self.divergingLow = divergingLow
        self.divergingMid = divergingMid
        self.divergingHigh = divergingHigh
        self.titleFont = titleFont
        self.subtitleFont = subtitleFont
        self.tickFont = tickFont
        self.labelFont = labelFont
        self.legendFont = legendFont
        self.cellFont = cellFont
        self.lineWidth = lineWidth
        self.padding = padding
    }

    /// The series colour for index `i` (cycles through the palette).
    public func seriesColor(_ i: Int) -> Color { palette[((i % palette.count) + palette.count) % palette.count] }

    /// The diverging colour for `value` in −1…1 (clamped): blue below 0, near-white at 0, red above.
    public func divergingColor(_ value: Double) -> Color {
        let v = min(1, max(-1, value))
        return v < 0 ? divergingMid.mixed(with: divergingLow, -v) : divergingMid.mixed(with: divergingHigh, v)
    }

    /// White background, grey grid, Okabe–Ito series colours; bluish green up, vermillion down.
    public static let light = Theme(
        background: .white,
        plotBackground: .white,
        text: Color(hex: 0x1A1A1A),
        mutedText: Color(hex: 0x555555),
        grid: Color(hex: 0xE6E6E6),
        axis: Color(hex: 0x8C8C8C),
        up: Color(hex: 0x009E73),
        down: Color(hex: 0xD55E00),
        palette: [Color(hex: 0x0072B2), Color(hex: 0xE69F00), Color(hex: 0x009E73), Color(hex: 0xCC79A7),
                  Color(hex: 0x56B4E9), Color(hex: 0xD55E00), Color(hex: 0x000000), Color(hex: 0xF0E442)],
        reference: Color(hex: 0x4D4D4D),
        divergingLow: Color(hex: 0x2166AC),
        divergingMid: Color(hex: 0xF7F7F7),
        divergingHigh: Color(hex: 0xB2182B),
        titleFont: Font(size: 15, weight: .bold),
        subtitleFont: Font(size: 11),
        tickFont: Font(size: 10),
        labelFont: Font(size: 10),
        legendFont: Font(size: 10.5),
        cellFont: Font(size: 10),
        lineWidth: 1.5,
        padding: 14)
}
