import CCairo
import Foundation

/// How a stroked line looks.
public struct StrokeStyle: Sendable, Hashable {
    /// Line width in canvas units.
    public var width: Double
    /// Dash pattern in canvas units (on, off, …); empty for a solid line.
    public var dash: [Double]

    /// Creates a stroke of `width` canvas units with an optional dash pattern.
    public init(width: Double = 1, dash: [Double] = []) {
        self.width = width
        self.dash = dash
    }

    /// A solid line of the given width.
    public static func solid(_ width: Double) -> StrokeStyle { StrokeStyle(width: width) }
    /// A dashed line of the given width.
    public static func dashed(_ width: Double, on: Double = 4, off: Double = 3) -> StrokeStyle {
        StrokeStyle(width: width, dash: [on, off])
    }
}

// MARK: - Primitives

extension Canvas {
    /// Fills a rectangle.
    public func fill(_ rect: Rect, color: Color) {
        setColor(color)
        cairo_rectangle(context, rect.x, rect.y, rect.width, rect.height)
        cairo_fill(context)
    }

    /// Fills many rectangles with one colour in a single Cairo fill (fast for thousands of bars).
    public func fill(_ rects: [Rect], color: Color) {
        guard !rects.isEmpty else { return }
        setColor(color)
        for r in rects { cairo_rectangle(context, r.x, r.y, r.width, r.height) }
        cairo_fill(context)
    }

    /// Strokes the outline of a rectangle.
    public func stroke(_ rect: Rect, color: Color, style: StrokeStyle = .solid(1)) {
        setColor(color)
        setStroke(style)
        cairo_rectangle(context, rect.x, rect.y, rect.width, rect.height)
        cairo_stroke(context)
    }

    /// Strokes one straight line.
    public func line(from a: Point, to b: Point, color: Color, style: StrokeStyle = .solid(1)) {
        setColor(color)
        setStroke(style)
        cairo_move_to(context, a.x, a.y)
        cairo_line_to(context, b.x, b.y)
        cairo_stroke(context)
    }

    /// Strokes many separate segments with one colour and style in a single Cairo stroke.
    public func segments(_ segments: [(Point, Point)], color: Color, style: StrokeStyle = .solid(1)) {
        guard !segments.isEmpty else { return }
        setColor(color)
        setStroke(style)
        for (a, b) in segments {
            cairo_move_to(context, a.x, a.y)
            cairo_line_to(context, b.x, b.y)
        }
        cairo_stroke(context)
    }

    /// Strokes connected polylines; each inner array is one unbroken run (a gap separates runs).
    ///
    /// Sparse lines are stroked with round joins. Dense solid ones — more than two vertices per device pixel column,
    /// as the per-column min/max envelope of a day of 1 s bars is — are filled as their column envelope instead
    /// (``fillDenseRuns(_:width:)``): the same pixels, and Cairo strokes a tall zig-zag twenty times slower than it
    /// fills the outline.
    public func polylines(_ runs: [[Point]], color: Color, style: StrokeStyle = .solid(1.5)) {
        guard runs.contains(where: { $0.count > 1 }) else { return }
        setColor(color)
        if style.dash.isEmpty && Self.isDense(runs, scale: scale) {
            fillDenseRuns(runs, width: style.width)
            return
        }
        setStroke(style)
        cairo_set_line_join(context, CAIRO_LINE_JOIN_ROUND)
        for run in runs where run.count > 1 {
            cairo_move_to(context, run[0].x, run[0].y)
            for p in run.dropFirst() { cairo_line_to(context, p.x, p.y) }
        }
        cairo_stroke(context)
        cairo_set_line_join(context, CAIRO_LINE_JOIN_MITER)
    }

    /// Whether `runs` have more than two vertices per device pixel of horizontal extent.
    static func isDense(_ runs: [[Point]], scale: Double) -> Bool {
        var vertices = 0
        var minX = Double.infinity, maxX = -Double.infinity
        for run in runs where run.count > 1 {
            vertices += run.count
            minX = min(minX, run[0].x)
            maxX = max(maxX, run[run.count - 1].x)
        }
        return Double(vertices) > 2 * max(1, (maxX - minX) * scale)
    }

    /// Fills closed polygons (non-zero winding) with one colour.
    public func fillPolygons(_ polygons: [[Point]], color: Color) {
        guard polygons.contains(where: { $0.count > 2 }) else { return }
        setColor(color)
        for polygon in polygons where polygon.count > 2 {
            cairo_move_to(context, polygon[0].x, polygon[0].y)
            for p in polygon.dropFirst() { cairo_line_to(context, p.x, p.y) }
            cairo_close_path(context)
        }
        cairo_fill(context)
    }

    /// Fills a circle.
    public func fillCircle(center: Point, radius: Double, color: Color) {
        setColor(color)
        cairo_new_sub_path(context)
        cairo_arc(context, center.x, center.y, radius, 0, 2 * Double.pi)
        cairo_fill(context)
    }

    /// Runs `body` with drawing clipped to `rect`, then restores the previous clip.
    public func withClip<T>(_ rect: Rect, _ body: () throws -> T) rethrows -> T {
        cairo_save(context)
        cairo_rectangle(context, rect.x, rect.y, rect.width, rect.height)
        cairo_clip(context)
        defer { cairo_restore(context) }
        return try body()
    }

    // MARK: - Pixel alignment

    /// The coordinate nearest to `value` on which a line of `width` canvas units renders crisply
    /// (centred on a device pixel when its device width is odd, on a pixel edge when even).
    public func crisp(_ value: Double, lineWidth: Double = 1) -> Double {
        let device = value * scale
        let w = (lineWidth * scale).rounded()
        let odd = Int(w) % 2 == 1
        let snapped = odd ? (device - 0.5).rounded() + 0.5 : device.rounded()
        return snapped / scale
    }

    /// `value` rounded to the device-pixel grid.
    public func snap(_ value: Double) -> Double { (value * scale).rounded() / scale }

    // MARK: - State

    func setColor(_ c: Color) {
        if c.alpha >= 1 {
            cairo_set_source_rgb(context, c.red, c.green, c.blue)
        } else {
            cairo_set_source_rgba(context, c.red, c.green, c.blue, c.alpha)
        }
    }

    func setStroke(_ style: StrokeStyle) {
        cairo_set_line_width(context, style.width)
        if style.dash.isEmpty {
            cairo_set_dash(context, nil, 0, 0)
        } else {
            style.dash.withUnsafeBufferPointer { cairo_set_dash(context, $0.baseAddress, Int32($0.count), 0) }
        }
    }
}

// MARK: - Gradients

extension Canvas {
    /// Fills `rect` with a linear gradient running from `start` to `end` through colour `stops`
    /// (offsets in 0…1). Vector in PDF output.
    public func fill(_ rect: Rect, gradientFrom start: Point, to end: Point, stops: [(offset: Double, color: Color)]) {
        guard let pattern = cairo_pattern_create_linear(start.x, start.y, end.x, end.y) else { return }
        defer { cairo_pattern_destroy(pattern) }
        for stop in stops {
            cairo_pattern_add_color_stop_rgba(pattern, stop.offset, stop.color.red, stop.color.green, stop.color.blue,
                                              stop.color.alpha)
        }
        cairo_set_source(context, pattern)
        cairo_rectangle(context, rect.x, rect.y, rect.width, rect.height)
        cairo_fill(context)
    }
}
