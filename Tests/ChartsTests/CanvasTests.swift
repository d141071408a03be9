import Charts
import PairbookTestSupport
import Foundation
import Testing

struct CanvasTests {
    @Test("text is measured by Pango: longer is wider, bold is wider, wrapping adds lines")
    func measurement() throws {
        let canvas = try Canvas(width: 200, height: 100)
        let font = Font(size: 10)
        let short = canvas.measure("63,950", font: font), long = canvas.measure("63,950.25", font: font)
        #expect(short.width > 20 && long.width > short.width)
        #expect(short.height > 10 && short.height < 16)
        #expect(canvas.measure("63,950", font: font.bold).width > short.width)
        let para = canvas.measure("The spread reverted to its mean twice during the session.", font: font, wrapWidth: 80)
        #expect(para.lineCount >= 3 && para.width <= 80)
    }

    @Test("text measures the same on a PNG at 2× and on a PDF page (layouts hold for both)")
    func measurementIndependentOfScale() throws {
        let png = try Canvas(width: 200, height: 100, scale: 2)
        let dir = try Fixtures.temporaryDirectory()
        let pdf = try Canvas(pdfPath: dir.appendingPathComponent("m.pdf").path, pageSize: Size(width: 200, height: 100))
        let a = png.measure("BTCUSDT 16,610.3", font: Font(size: 10)), b = pdf.measure("BTCUSDT 16,610.3", font: Font(size: 10))
        #expect(abs(a.width - b.width) < 0.5 && abs(a.height - b.height) < 0.5)
        try pdf.finish()
        try? FileManager.default.removeItem(at: dir)
    }

    @Test("drawn text lands in the box the anchor says")
    func anchoredText() throws {
        let canvas = try Canvas(width: 200, height: 100)
        canvas.fill(canvas.bounds, color: .white)
        let box = canvas.drawText("WWW", at: Point(x: 100, y: 50), font: Font(size: 20), color: .black, anchor: .center)
        #expect(abs(box.midX - 100) < 0.5 && abs(box.midY - 50) < 0.5)
        #expect(canvas.color(atCanvas: box.minX - 3, 50)?.isClose(to: .white) == true)
        let dark = (Int(box.minX)..<Int(box.maxX)).contains { canvas.pixel(x: $0, y: 50)?.luminance ?? 1 < 0.2 }
        #expect(dark)
    }

    @Test("fills hit exactly the device pixels of the rectangle", arguments: [1.0, 2.0])
    func pixelExactFill(scale: Double) throws {
        let canvas = try Canvas(width: 50, height: 50, scale: scale)
        canvas.fill(canvas.bounds, color: .white)
        canvas.fill(Rect(x: 10, y: 10, width: 5, height: 5), color: Color(hex: 0x0072B2))
        #expect(canvas.color(atCanvas: 10.2, 10.2)?.isClose(to: Color(hex: 0x0072B2)) == true)
        #expect(canvas.color(atCanvas: 14.8, 14.8)?.isClose(to: Color(hex: 0x0072B2)) == true)
        #expect(canvas.color(atCanvas: 15.2, 12)?.isClose(to: .white) == true)
        #expect(canvas.pixel(x: 1000, y: 0) == nil)
    }

    @Test("crisp lines: odd device widths centre on pixels, even widths on pixel edges")
    func crisp() throws {
        let one = try Canvas(width: 10, height: 10, scale: 1), two = try Canvas(width: 10, height: 10, scale: 2)
        #expect(one.crisp(3.2) == 3.5)
        #expect(two.crisp(3.2) == 3.0)
        #expect(two.crisp(3.2, lineWidth: 0.5) == 3.25)
    }

    @Test("invalid sizes throw instead of crashing", arguments: [(0.0, 10.0), (10.0, -1.0), (20_000.0, 10.0)])
    func invalidSize(width: Double, height: Double) {
        #expect(throws: ChartError.self) { try Canvas(width: width, height: height) }
    }

    @Test("a PNG written and loaded back is identical (RMS 0)")
    func pngRoundTrip() throws {
        let chart = LineChart.zScore(title: "z", times: TestData.minutes(60), zScore: (0..<60).map { sin(Double($0) / 5) * 3 })
        let canvas = try chart.render(size: Size(width: 300, height: 200))
        let dir = try Fixtures.temporaryDirectory()
        let path = dir.appendingPathComponent("z.png").path
        try canvas.writePNG(to: path)
        let loaded = try Canvas(contentsOfPNG: path)
        #expect(loaded.rmsDifference(to: canvas) == 0)
        #expect(throws: ChartError.self) { try Canvas(contentsOfPNG: dir.appendingPathComponent("missing.png").path) }
        try? FileManager.default.removeItem(at: dir)
    }

    @Test("a canvas with transparency is written as RGBA and reads back the same")
    func transparentPNG() throws {
        let canvas = try Canvas(width: 40, height: 30)
        canvas.fill(Rect(x: 5, y: 5, width: 20, height: 10), color: Color(hex: 0xD55E00, alpha: 0.5))
        let png = try canvas.pngData()
        #expect(png[25] == 6)  // IHDR colour type: RGBA
        let dir = try Fixtures.temporaryDirectory()
        let path = dir.appendingPathComponent("t.png").path
        try png.write(to: URL(fileURLWithPath: path))
        let loaded = try Canvas(contentsOfPNG: path)
        #expect((loaded.rmsDifference(to: canvas) ?? 1) < 0.005)
        #expect(loaded.pixel(x: 10, y: 10)?.alpha ?? 0 > 0.49)
        #expect(loaded.pixel(x: 1, y: 1)?.alpha == 0)
        try? FileManager.default.removeItem(at: dir)
    }

    @Test("an opaque chart is written as 8-bit RGB")
    func opaquePNG() throws {
        let png = try CandlestickChart(series: TestData.bars(count: 10)).pngData(size: Size(width: 200, height: 150))
        #expect(png[24] == 8 && png[25] == 2)
    }
}
