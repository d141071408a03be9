import Charts
import Foundation
import Market
import Testing

struct LineChartTests {
    let theme = Theme.light

    /// Share of the plot's device pixels in `row` whose colour is close to `color`.
    func share(of color: Color, row: Int, in plot: Rect, on canvas: Canvas) -> Double {
        let x0 = Int(plot.minX * canvas.scale) + 2, x1 = Int(plot.maxX * canvas.scale) - 2
        let hits = (x0..<x1).filter { canvas.pixel(x: $0, y: row)?.isClose(to: color, tolerance: 0.05) ?? false }.count
        return Double(hits) / Double(x1 - x0)
    }

    @Test("z-score threshold lines sit on the pixel rows of ±threshold", arguments: [1.0, 2.0])
    func thresholdRows(scale: Double) throws {
        // Given a z-score that stays within ±1
        let times = TestData.minutes(200)
        let z: [Double?] = (0..<200).map { 0.8 * sin(Double($0) / 10) }
        let chart = LineChart.zScore(title: "z", times: times, zScore: z, threshold: 2)
        // When it is drawn
        let canvas = try chart.render(size: Size(width: 700, height: 400), scale: scale)
        let layout = try #require(chart.layout(on: canvas, in: canvas.bounds))
        let panel = layout.panels[0]
        // Then the dashed threshold colour fills most of the rows of +2 and −2, and not the rows beside them
        for t in [2.0, -2.0] {
            let row = Int((canvas.crisp(panel.axis.scale(t)) * scale).rounded(.down))
            #expect(share(of: theme.down, row: row, in: panel.plot, on: canvas) > 0.45, "threshold \(t) at row \(row)")
            #expect(share(of: theme.down, row: row - Int(2 * scale), in: panel.plot, on: canvas) < 0.02)
            #expect(share(of: theme.down, row: row + Int(2 * scale), in: panel.plot, on: canvas) < 0.02)
        }
        // And both thresholds are inside the axis domain even though the data never reaches them
        #expect(panel.axis.scale.domainLower < -2 && panel.axis.scale.domainUpper > 2)
    }

    @Test("breaches beyond the threshold are shaded and drawn in the breach colour")
    func breaches() throws {
        let times = TestData.minutes(100)
        let z: [Double?] = (0..<100).map { 3 * sin(Double($0) / 8) }
        let chart = LineChart.zScore(title: "z", times: times, zScore: z, threshold: 2)
        let canvas = try chart.render(size: Size(width: 700, height: 400))
        let layout = try #require(chart.layout(on: canvas, in: canvas.bounds))
        let x = layout.timeAxis.scale, y = layout.panels[0].axis.scale
        // Peak of the first hump: i ≈ 8π/2 ≈ 12.6 → z ≈ 3
        let peakX = x(times[13].milliseconds)
        let shaded = try #require(canvas.color(atCanvas: peakX, y(2.4)))
        #expect(shaded.isClose(to: Color.white.mixed(with: theme.down, 0.35), tolerance: 0.04), "\(shaded)")
        let unshaded = try #require(canvas.color(atCanvas: peakX, y(1.5)))
        #expect(unshaded.isClose(to: .white))
        let line = try #require(canvas.color(atCanvas: peakX, y(z[13]!)))
        #expect(line.isClose(to: theme.down, tolerance: 0.12), "\(line)")
    }

    @Test("spread bands: ±1σ is darker than ±2σ, both in the band colour")
    func bands() throws {
        let times = TestData.minutes(120)
        let chart = LineChart.spread(title: "spread", times: times, spread: Array(repeating: -1.5, count: 120),
                                     mean: Array(repeating: 0, count: 120), standardDeviation: Array(repeating: 1, count: 120))
        let canvas = try chart.render(size: Size(width: 700, height: 400))
        let layout = try #require(chart.layout(on: canvas, in: canvas.bounds))
        let y = layout.panels[0].axis.scale
        let cx = layout.timeAxis.scale(times[37].milliseconds) + 0.5
        let inner = try #require(canvas.color(atCanvas: cx, y(0.6)))
        let outer = try #require(canvas.color(atCanvas: cx, y(1.5)))
        let outside = try #require(canvas.color(atCanvas: cx, y(2.3)))
        #expect(inner.luminance < outer.luminance && outer.luminance < outside.luminance)
        #expect(inner.blue > inner.red && outer.blue > outer.red)
        #expect(outside.isClose(to: .white))
        let legend = layout.header.legend.placements.map(\.item.label)
        #expect(legend == ["Spread", "Mean", "±1σ", "±2σ"])
    }

    @Test("undefined values leave a gap; rolling values before the window fills draw nothing")
    func gaps() throws {
        let times = TestData.minutes(100)
        let values: [Double?] = (0..<100).map { (40..<60).contains($0) || $0 < 10 ? nil : 5 }
        let chart = LineChart(title: "gaps", series: [LineSeries(name: "x", times: times, values: values)])
        let canvas = try chart.render(size: Size(width: 700, height: 400))
        let layout = try #require(chart.layout(on: canvas, in: canvas.bounds))
        let x = layout.timeAxis.scale, y = layout.panels[0].axis.scale
        let lineColor = theme.seriesColor(0)
        func isLine(_ i: Int) -> Bool { canvas.color(atCanvas: x(times[i].milliseconds), y(5))?.isClose(to: lineColor, tolerance: 0.1) ?? false }
        #expect(isLine(30) && isLine(70))
        #expect(!isLine(50) && !isLine(5))
    }

    @Test("a single spike among 200,000 points survives the per-column envelope")
    func envelopeKeepsSpikes() throws {
        let n = 200_000
        let times = (0..<n).map { TestData.start + TimeSpan(milliseconds: Int64($0) * 1000) }
        var values: [Double?] = (0..<n).map { sin(Double($0) / 5000) }
        values[123_456] = 10
        let chart = LineChart(title: "spike", series: [LineSeries(name: "x", times: times, values: values, showsLastValue: false)])
        let canvas = try chart.render(size: Size(width: 800, height: 400))
        let layout = try #require(chart.layout(on: canvas, in: canvas.bounds))
        let px = Int(layout.timeAxis.scale(times[123_456].milliseconds))
        let py = Int(layout.panels[0].axis.scale(9.5))
        // Anti-aliased thin line: clearly tinted with the series blue.
        let hit = (px - 1...px + 1).contains { x in
            guard let c = canvas.pixel(x: x, y: py) else { return false }
            return c.luminance < 0.6 && c.blue > c.red + 0.2
        }
        #expect(hit)
    }

    @Test("rolling correlation uses a fixed −1…1 axis with half steps")
    func correlationAxis() throws {
        let times = TestData.minutes(300)
        let corr: [Double?] = (0..<300).map { $0 < 60 ? nil : 0.5 + 0.3 * sin(Double($0) / 20) }
        let chart = LineChart.rollingCorrelation(title: "corr", times: times, correlation: corr)
        let canvas = try Canvas(width: 700, height: 420)
        let layout = try #require(chart.layout(on: canvas, in: canvas.bounds))
        #expect(layout.panels[0].axis.ticks.map(\.label) == ["-1.0", "-0.5", "0.0", "0.5", "1.0"])
        #expect(layout.panels[0].axis.scale.domainLower == -1.05)
    }

    @Test("normalised prices start at 100 and tag each last value")
    func normalised() throws {
        let a = TestData.bars(count: 50, symbol: "BTCUSDT"), b = TestData.bars(count: 50, symbol: "ETHUSDT") { $0 % 3 == 0 }
        let chart = LineChart.normalisedPrices(series: [a, b])
        #expect(chart.series.map { $0.values.first ?? nil } == [100, 100])
        let canvas = try Canvas(width: 700, height: 420)
        let layout = try #require(chart.layout(on: canvas, in: canvas.bounds))
        #expect(layout.panels[0].axis.tags.count == 2)
        let frames = layout.panels[0].axis.tags.map(\.frame)
        #expect(!frames[0].intersects(frames[1]))
        #expect(layout.header.legend.placements.map(\.item.label) == ["BTCUSDT", "ETHUSDT"])
    }
}
