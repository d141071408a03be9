import CCairo
import CPangoCairo
import Foundation

/// A drawing surface that owns one Cairo surface and context: a PNG image or the pages of a PDF file.
///
/// Every chart draws through a canvas's small set of primitives (rectangles, lines, polylines,
/// polygons, clipping, text), so PNG and PDF output run the same drawing code. Coordinates are
/// canvas units with the origin at the top-left: pixels at scale 1 for images (a scale of 2 gives
/// twice the pixels for sharp screens), points (1/72 in) for PDF pages.
///
/// A canvas is not thread-safe and not `Sendable`: create one per render. No Cairo or Pango
/// handle escapes it; everything is released in `deinit`.
///
/// ```swift
/// let canvas = try Canvas(width: 1200, height: 700, scale: 2)
/// chart.draw(on: canvas, in: canvas.bounds)
/// try canvas.writePNG(to: "/tmp/chart.png")
/// ```
public final class Canvas {
    /// What the canvas draws into.
    public enum Kind: Sendable, Equatable {
        /// An in-memory ARGB image, saved as PNG.
        case image
        /// A PDF file; one page at a time (``nextPage()``), closed by ``finish()``.
        case pdf
    }

    /// Image or PDF.
    public let kind: Kind
    /// Size of the drawing area in canvas units (a PDF page size in points).
    public private(set) var size: Size
    /// Device pixels per canvas unit (1 for PDF).
    public let scale: Double

    let surface: OpaquePointer
    let context: OpaquePointer
    let layout: OpaquePointer
    var fontDescriptions: [Font: OpaquePointer] = [:]
    private var finished = false

    /// The whole drawing area, `(0, 0, size.width, size.height)`.
    public var bounds: Rect { Rect(x: 0, y: 0, width: size.width, height: size.height) }

    // MARK: - Creation

    /// Creates an image canvas of `width × height` canvas units, with `scale` device pixels per unit.
    ///
    /// The PNG has `width·scale × height·scale` pixels. The canvas starts transparent; charts paint
    /// their own background.
    /// - Throws: ``ChartError/invalidSize(width:height:)`` when a side is < 1 or the image would exceed
    ///   16,384 pixels on a side; ``ChartError/cairo(operation:status:)`` if Cairo cannot allocate it.
    public convenience init(width: Double, height: Double, scale: Double = 1) throws {
        let pw = (width * scale).rounded(), ph = (height * scale).rounded()
        guard width >= 1, height >= 1, scale > 0, pw <= 16_384, ph <= 16_384 else {
            throw ChartError.invalidSize(width: width, height: height)
        }
        guard let surface = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, Int32(pw), Int32(ph)) else {
            throw ChartError.cairo(operation: "image_surface_create", status: "null surface")
        }
        try self.init(kind: .image, surface: surface, size: Size(width: width, height: height), scale: scale)
    }

    /// Creates a PDF canvas writing to `path`, whose first page is `pageSize` points (A4 = 595 × 842).
    ///
    /// Draw a page, call ``nextPage(size:)`` for the next one, and ``finish()`` to close the file.
    /// Text stays vector text with embedded DejaVu subsets.
    /// - Throws: ``ChartError/invalidSize(width:height:)``, or ``ChartError/cairo(operation:status:)`` when the file
    ///   cannot be created.
    public convenience init(pdfPath path: String, pageSize: Size) throws {
        guard pageSize.width >= 1, pageSize.height >= 1 else {
            throw ChartError.invalidSize(width: pageSize.width, height: pageSize.height)
        }
        guard let surface = cairo_pdf_surface_create(path, pageSize.width, pageSize.height) else {
            throw ChartError.cairo(operation: "pdf_surface_create", status: "null surface")
        }
        try self.init(kind: .pdf, surface: surface, size: pageSize, scale: 1)
    }

    private init(kind: Kind, surface: OpaquePointer, size: Size, scale: Double) throws {
        let status = cairo_surface_status(surface)
        guard status == CAIRO_STATUS_SUCCESS else {
            cairo_surface_destroy(surface)
            throw ChartError.cairo(operation: "surface_create", status: String(cString: cairo_status_to_string(status)))
        }
        guard let context = cairo_create(surface) else {
            cairo_surface_destroy(surface)
            throw ChartError.cairo(operation: "create", status: "null context")
        }
        guard let layout = pango_cairo_create_layout(context) else {
            cairo_destroy(context)
            cairo_surface_destroy(surface)
            throw ChartError.cairo(operation: "pango_cairo_create_layout", status: "null layout")
        }
        self.kind = kind
        self.surface = surface
        self.context = context
        self.layout = layout
        self.size = size
        self.scale = scale
        if scale != 1 { cairo_scale(context, scale, scale) }
        configureText()
    }

    deinit {
        for description in fontDescriptions.values { pango_font_description_free(description) }
        g_object_unref(UnsafeMutableRawPointer(layout))
        cairo_destroy(context)
        if kind == .pdf && !finished { cairo_surface_finish(surface) }
        cairo_surface_destroy(surface)
    }

    // MARK: - Output

    /// Ends the current PDF page and starts another (of `size` points, or the same size).
    ///
    /// Has no effect on an image canvas.
    public func nextPage(size newSize: Size? = nil) {
        guard kind == .pdf, !finished else { return }
        cairo_show_page(context)
        if let newSize {
            cairo_pdf_surface_set_size(surface, newSize.width, newSize.height)
            size = newSize
        }
    }

    /// Flushes and closes a PDF file (after its last page). Further drawing is ignored.
    ///
    /// - Throws: ``ChartError/cairo(operation:status:)`` when Cairo reports an error (e.g. disk full).
    public func finish() throws {
        guard !finished else { return }
        finished = true
        cairo_surface_finish(surface)
        let status = cairo_surface_status(surface)
        guard status == CAIRO_STATUS_SUCCESS else {
            throw ChartError.cairo(operation: "surface_finish", status: String(cString: cairo_status_to_string(status)))
        }
    }

    /// The image as PNG bytes (8-bit RGB when opaque, else RGBA). Only for image canvases.
    ///
    /// Encoded by ``PNGEncoder`` (Up filter, zlib level 1): a 1200 × 700 chart takes a few ms.
    /// - Throws: ``ChartError/cairo(operation:status:)`` on a PDF canvas or when encoding fails.
    public func pngData() throws -> Data {
        guard kind == .image else { throw ChartError.cairo(operation: "write_to_png", status: "not an image canvas") }
        cairo_surface_flush(surface)
        guard let pixels = cairo_image_surface_get_data(surface),
              let png = PNGEncoder.encode(pixels: pixels, width: Int(cairo_image_surface_get_width(surface)),
                                          height: Int(cairo_image_surface_get_height(surface)),
                                          stride: Int(cairo_image_surface_get_stride(surface)))
        else { throw ChartError.cairo(operation: "write_to_png", status: "encoding failed") }
        return png
    }

    /// Writes the image as a PNG file.
    ///
    /// - Throws: ``ChartError/writeFailed(path:reason:)``.
    public func writePNG(to path: String) throws {
        let data = try pngData()
        do {
            try data.write(to: URL(fileURLWithPath: path))
        } catch {
            throw ChartError.writeFailed(path: path, reason: String(describing: error))
        }
    }

    // MARK: - Pixels (image canvases; for tests and checks)

    /// The colour of the device pixel at (`x`, `y`) of an image canvas (alpha un-premultiplied), or nil
    /// outside the image or on a PDF canvas. Device pixels are canvas units × ``scale``.
    public func pixel(x: Int, y: Int) -> Color? {
        guard kind == .image else { return nil }
        cairo_surface_flush(surface)
        let w = Int(cairo_image_surface_get_width(surface)), h = Int(cairo_image_surface_get_height(surface))
        guard x >= 0, y >= 0, x < w, y < h, let data = cairo_image_surface_get_data(surface) else { return nil }
        let stride = Int(cairo_image_surface_get_stride(surface))
        let word = data.advanced(by: y * stride + x * 4).withMemoryRebound(to: UInt32.self, capacity: 1) { $0.pointee }
        let a = Double((word >> 24) & 0xFF) / 255
        guard a > 0 else { return Color(red: 0, green: 0, blue: 0, alpha: 0) }
        return Color(red: Double((word >> 16) & 0xFF) / 255 / a, green: Double((word >> 8) & 0xFF) / 255 / a,
                     blue: Double(word & 0xFF) / 255 / a, alpha: a)
    }

    /// Root-mean-square difference of two image canvases over all channels (0 = identical, 1 = black vs white),
    /// or nil when either is not an image or their pixel sizes differ. O(pixels).
    ///
    /// Used to compare renders with committed PNG goldens under a tolerance, as matplotlib's image tests do.
    public func rmsDifference(to other: Canvas) -> Double? {
        guard kind == .image, other.kind == .image else { return nil }
        cairo_surface_flush(surface)
        cairo_surface_flush(other.surface)
        let w = Int(cairo_image_surface_get_width(surface)), h = Int(cairo_image_surface_get_height(surface))
        guard w == Int(cairo_image_surface_get_width(other.surface)), h == Int(cairo_image_surface_get_height(other.surface)),
              w > 0, h > 0, let a = cairo_image_surface_get_data(surface), let b = cairo_image_surface_get_data(other.surface)
        else { return nil }
        let sa = Int(cairo_image_surface_get_stride(surface)), sb = Int(cairo_image_surface_get_stride(other.surface))
        var sum = 0.0
        for y in 0..<h {
            for x in 0..<(w * 4) {
                let d = Double(a[y * sa + x]) - Double(b[y * sb + x])
                sum += d * d
            }
        }
        return (sum / Double(w * h * 4)).squareRoot() / 255
    }

    /// Loads a PNG file into a new image canvas (scale 1), e.g. a committed golden image.
    ///
    /// - Throws: ``ChartError/cairo(operation:status:)`` when the file is missing or not a PNG.
    public convenience init(contentsOfPNG path: String) throws {
        guard let surface = cairo_image_surface_create_from_png(path) else {
            throw ChartError.cairo(operation: "image_surface_create_from_png", status: "null surface")
        }
        let w = Double(cairo_image_surface_get_width(surface)), h = Double(cairo_image_surface_get_height(surface))
        try self.init(kind: .image, surface: surface, size: Size(width: w, height: h), scale: 1)
    }

    /// Size of an image canvas in device pixels.
    public var pixelSize: (width: Int, height: Int) {
        (Int((size.width * scale).rounded()), Int((size.height * scale).rounded()))
    }
}
