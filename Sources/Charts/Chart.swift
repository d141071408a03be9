import Foundation

/// A chart: an immutable spec that can draw itself, title to axes, into any rectangle of a ``Canvas``.
///
/// The same `draw(on:in:)` produces PNG images and vector PDF pages:
/// ```swift
/// let chart = CandlestickChart(series: bars)
/// try chart.writePNG(to: "/tmp/btc.png", size: Size(width: 1200, height: 700), scale: 2)
/// // or onto part of a PDF page the caller owns:
/// chart.draw(on: pdfCanvas, in: Rect(x: 40, y: 120, width: 515, height: 300))
/// ```
public protocol Chart: Sendable {
    /// Draws the whole chart inside `rect` (canvas units), clipped to it; never throws:
    /// a chart without enough data draws a frame that says "No data".
    func draw(on canvas: Canvas, in rect: Rect)
}

extension Chart {
    /// Renders to a new image canvas of `size` canvas units at `scale` pixels per unit.
    ///
    /// - Throws: ``ChartError/invalidSize(width:height:)`` or a Cairo error.
    public func render(size: Size, scale: Double = 1) throws -> Canvas {
        let canvas = try Canvas(width: size.width, height: size.height, scale: scale)
        draw(on: canvas, in: canvas.bounds)
        return canvas
    }

    /// PNG bytes of the chart at `size` canvas units and `scale` pixels per unit (2 for sharp screens).
    public func pngData(size: Size, scale: Double = 1) throws -> Data {
        try render(size: size, scale: scale).pngData()
    }

    /// Writes the chart as a PNG file.
    public func writePNG(to path: String, size: Size, scale: Double = 1) throws {
        try render(size: size, scale: scale).writePNG(to: path)
    }

    /// Writes the chart as a one-page vector PDF of `size` points.
    public func writePDF(to path: String, size: Size) throws {
        let canvas = try Canvas(pdfPath: path, pageSize: size)
        draw(on: canvas, in: canvas.bounds)
        try canvas.finish()
    }

    /// Writes PNG or PDF depending on the extension of `path` (`.png`, `.pdf`).
    ///
    /// - Throws: ``ChartError/unsupportedFormat(path:)`` for other extensions.
    public func write(to path: String, size: Size, scale: Double = 1) throws {
        switch URL(fileURLWithPath: path).pathExtension.lowercased() {
        case "png": try writePNG(to: path, size: size, scale: scale)
        case "pdf": try writePDF(to: path, size: size)
        default: throw ChartError.unsupportedFormat(path: path)
        }
    }
}
