import Charts
import Foundation
import PairbookTestSupport
import Testing

struct PDFOutputTests {
    /// Number of page objects in a PDF (`/Type /Page`, not `/Pages`).
    func pageCount(_ data: Data) -> Int {
        let bytes = [UInt8](data), needle = Array("/Type /Page".utf8)
        var count = 0
        var i = 0
        while i + needle.count < bytes.count {
            if bytes[i] == needle[0], Array(bytes[i..<(i + needle.count)]) == needle, bytes[i + needle.count] != UInt8(ascii: "s") {
                count += 1
            }
            i += 1
        }
        return count
    }

    @Test("a chart written as PDF is a one-page PDF file with embedded fonts")
    func singlePage() throws {
        let dir = try Fixtures.temporaryDirectory(prefix: "pairbook-charts")
        let path = dir.appendingPathComponent("candles.pdf").path
        try CandlestickChart(series: TestData.bars(count: 60)).write(to: path, size: Size(width: 595, height: 360))
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(data.prefix(5) == Data("%PDF-".utf8))
        #expect(pageCount(data) == 1)
        #expect(String(decoding: data, as: UTF8.self).contains("DejaVuSans"))
        try? FileManager.default.removeItem(at: dir)
    }

    @Test("charts drawn into rectangles of two PDF pages give a two-page document")
    func chartsOnPages() throws {
        let dir = try Fixtures.temporaryDirectory(prefix: "pairbook-charts")
        let path = dir.appendingPathComponent("report.pdf").path
        let canvas = try Canvas(pdfPath: path, pageSize: Size(width: 595, height: 842))
        let times = TestData.minutes(120)
        canvas.drawText("Pair overview", at: Point(x: 40, y: 40), font: Font(size: 18, weight: .bold), color: .black)
        CandlestickChart(series: TestData.bars(count: 120)).draw(on: canvas, in: Rect(x: 40, y: 80, width: 515, height: 320))
        canvas.nextPage()
        LineChart.zScore(title: "z", times: times, zScore: times.indices.map { sin(Double($0) / 9) * 2.5 })
            .draw(on: canvas, in: Rect(x: 40, y: 40, width: 515, height: 300))
        try canvas.finish()
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(pageCount(data) == 2)
        try? FileManager.default.removeItem(at: dir)
    }

    @Test("an unknown extension is refused with a clear error")
    func unknownExtension() {
        #expect(throws: ChartError.unsupportedFormat(path: "/tmp/x.svg")) {
            try CandlestickChart(series: TestData.bars(count: 5)).write(to: "/tmp/x.svg", size: Size(width: 100, height: 100))
        }
    }

    @Test("pdftotext finds the title and axis labels as text")
    func textIsText() throws {
        try #require(FileManager.default.isExecutableFile(atPath: "/usr/bin/pdftotext"),
                     "pdftotext is needed (Debian's poppler-utils; `make deps` installs it)")
        let dir = try Fixtures.temporaryDirectory(prefix: "pairbook-charts")
        let pdf = dir.appendingPathComponent("z.pdf").path, txt = dir.appendingPathComponent("z.txt").path
        let times = TestData.minutes(120)
        try LineChart.rollingCorrelation(title: "Rolling correlation BTC/ETH", times: times,
                                         correlation: times.indices.map { 0.5 + 0.2 * sin(Double($0) / 9) })
            .writePDF(to: pdf, size: Size(width: 595, height: 360))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/pdftotext")
        process.arguments = [pdf, txt]
        try process.run()
        process.waitUntilExit()
        let text = try String(contentsOfFile: txt, encoding: .utf8)
        #expect(text.contains("Rolling correlation BTC/ETH"))
        #expect(text.contains("-0.5") && text.contains("2024-07-19 UTC"))
        try? FileManager.default.removeItem(at: dir)
    }
}
