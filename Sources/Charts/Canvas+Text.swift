import CCairo
import CPangoCairo
import Foundation

/// Text through Pango: measurement and drawing, single line or wrapped paragraphs.
///
/// Font sizes are absolute canvas units, and hinting of metrics is off, so a text measures the
/// same on a PNG at any scale and on a PDF page: layouts computed once hold for both.
extension Canvas {
    private static let pangoScale = 1024.0

    func configureText() {
        guard let pango = pango_layout_get_context(layout), let options = cairo_font_options_create() else { return }
        cairo_font_options_set_hint_metrics(options, CAIRO_HINT_METRICS_OFF)
        cairo_font_options_set_hint_style(options, CAIRO_HINT_STYLE_NONE)
        cairo_font_options_set_antialias(options, CAIRO_ANTIALIAS_GRAY)
        pango_cairo_context_set_font_options(pango, options)
        cairo_font_options_destroy(options)
        pango_layout_context_changed(layout)
    }

    private func description(for font: Font) -> OpaquePointer? {
        if let cached = fontDescriptions[font] { return cached }
        guard let d = pango_font_description_new() else { return nil }
        pango_font_description_set_family(d, font.family)
        pango_font_description_set_weight(d, font.weight == .bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL)
        pango_font_description_set_absolute_size(d, font.size * Self.pangoScale)
        fontDescriptions[font] = d
        return d
    }

    /// Prepares the shared layout for `text`; `wrapWidth` nil = one line per `\n`.
    private func prepare(_ text: String, font: Font, wrapWidth: Double?, alignment: TextAnchor.Horizontal) {
        pango_layout_set_font_description(layout, description(for: font))
        pango_layout_set_text(layout, text, -1)
        if let wrapWidth {
            pango_layout_set_width(layout, Int32(max(1, wrapWidth) * Self.pangoScale))
            pango_layout_set_wrap(layout, PANGO_WRAP_WORD_CHAR)
        } else {
            pango_layout_set_width(layout, -1)
        }
        let align: PangoAlignment = switch alignment {
        case .leading: PANGO_ALIGN_LEFT
        case .center: PANGO_ALIGN_CENTER
        case .trailing: PANGO_ALIGN_RIGHT
        }
        pango_layout_set_alignment(layout, align)
    }

    private func currentMetrics() -> TextMetrics {
        var ink = PangoRectangle(), logical = PangoRectangle()
        pango_layout_get_extents(layout, &ink, &logical)
        return TextMetrics(width: Double(logical.width) / Self.pangoScale,
                           height: Double(logical.height) / Self.pangoScale,
                           baseline: Double(pango_layout_get_baseline(layout)) / Self.pangoScale,
                           lineCount: Int(pango_layout_get_line_count(layout)))
    }

    /// Measures `text` in `font`, optionally wrapped at `wrapWidth` canvas units. O(length of text).
    ///
    /// - Returns: the logical box (advance width, line height × lines) and the first baseline.
    public func measure(_ text: String, font: Font, wrapWidth: Double? = nil) -> TextMetrics {
        prepare(text, font: font, wrapWidth: wrapWidth, alignment: .leading)
        return currentMetrics()
    }

    /// Draws `text` so that the `anchor` point of its box sits at `point`, optionally rotated
    /// (radians, counter-clockwise positive is upwards-reading when negative, e.g. `-π/2` for a y-axis title).
    ///
    /// - Returns: the box the text occupies (before rotation), in canvas units.
    @discardableResult
    public func drawText(_ text: String, at point: Point, font: Font, color: Color,
                         anchor: TextAnchor = .topLeading, rotation: Double = 0) -> Rect {
        prepare(text, font: font, wrapWidth: nil, alignment: anchor.horizontal)
        let m = currentMetrics()
        let box = Self.box(of: m, anchoredAt: Point(x: 0, y: 0), anchor: anchor)
        setColor(color)
        cairo_save(context)
        cairo_translate(context, point.x, point.y)
        if rotation != 0 {
            cairo_rotate(context, rotation)
            pango_cairo_update_layout(context, layout)
        }
        cairo_move_to(context, box.x, box.y)
        pango_cairo_show_layout(context, layout)
        cairo_restore(context)
        if rotation != 0 { pango_cairo_update_layout(context, layout) }
        return Rect(x: point.x + box.x, y: point.y + box.y, width: box.width, height: box.height)
    }

    /// Draws a paragraph wrapped to `rect.width`, starting at the top of `rect` (not clipped).
    ///
    /// - Returns: the height used, so callers can flow the next block below it.
    @discardableResult
    public func drawParagraph(_ text: String, in rect: Rect, font: Font, color: Color,
                              alignment: TextAnchor.Horizontal = .leading) -> Double {
        prepare(text, font: font, wrapWidth: rect.width, alignment: alignment)
        let m = currentMetrics()
        setColor(color)
        cairo_move_to(context, rect.x, rect.y)
        pango_cairo_show_layout(context, layout)
        return m.height
    }

    /// The box of text with metrics `m` whose `anchor` point is at `point`.
    public static func box(of m: TextMetrics, anchoredAt point: Point, anchor: TextAnchor) -> Rect {
        let x: Double = switch anchor.horizontal {
        case .leading: point.x
        case .center: point.x - m.width / 2
        case .trailing: point.x - m.width
        }
        let y: Double = switch anchor.vertical {
        case .top: point.y
        case .middle: point.y - m.height / 2
        case .baseline: point.y - m.baseline
        case .bottom: point.y - m.height
        }
        return Rect(x: x, y: y, width: m.width, height: m.height)
    }
}
