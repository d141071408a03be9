import Charts
import Foundation
import Market
import Testing

struct NoDataTests {
    /// Whether the canvas has dark (text) pixels near its centre, where "No data" is written.
    func hasTextNearCentre(_ canvas: Canvas) -> Bool {
        let (w, h) = canvas.pixelSize
        for y in (h / 2 - 20)...(h / 2 + 20) {
            for x in (w / 2 - 60)...(w / 2 + 60) {
                if let c = canvas.pixel(x: x, y: y), c.luminance < 0.3 { return true }
            }
        }
        return false
    }

    @Test("empty and one-bar candlestick series draw a 'No data' chart", arguments: [0, 1])
    func candles(count: Int) throws {
        let chart = CandlestickChart(series: TestData.bars(count: count))
        let canvas = try chart.render(size: Size(width: 500, height: 300))
        #expect(chart.layout(on: canvas, in: canvas.bounds) == nil)
        #expect(hasTextNearCentre(canvas))
        #expect(try canvas.pngData().count > 100)
    }

    @Test("line charts with fewer than two defined points draw 'No data'")
    func lines() throws {
        let times = TestData.minutes(50)
        for chart in [
            LineChart.zScore(title: "z", times: [], zScore: []),
            LineChart.zScore(title: "z", times: times, zScore: Array(repeating: nil, count: 50)),
            LineChart.rollingCorrelation(title: "c", times: Array(times.prefix(1)), correlation: [0.5]),
            LineChart.normalisedPrices(series: [TestData.bars(count: 1)]),
        ] {
            let canvas = try chart.render(size: Size(width: 500, height: 300))
            #expect(chart.layout(on: canvas, in: canvas.bounds) == nil)
            #expect(hasTextNearCentre(canvas))
        }
    }

    @Test("a heatmap of fewer than two symbols draws 'No data'")
    func heatmap() throws {
        for (labels, values) in [([String](), [[Double?]]()), (["BTCUSDT"], [[1.0]])] {
            let chart = Heatmap(title: "corr", labels: labels, values: values)
            let canvas = try chart.render(size: Size(width: 500, height: 300))
            #expect(chart.layout(on: canvas, in: canvas.bounds) == nil)
            #expect(hasTextNearCentre(canvas))
        }
    }

    @Test("every chart kind draws into a tiny rectangle without crashing", arguments: [(60.0, 40.0), (150.0, 90.0)])
    func tinyRectangles(width: Double, height: Double) throws {
        let times = TestData.minutes(100)
        let z: [Double?] = times.indices.map { sin(Double($0) / 7) * 3 }
        let charts: [any Chart] = [
            CandlestickChart(series: TestData.bars(count: 100)),
            LineChart.zScore(title: "z", times: times, zScore: z),
            LineChart.spread(title: "s", times: times, spread: z, mean: z.map { $0.map { $0 / 2 } },
                             standardDeviation: z.map { _ in 1 }),
            LineChart.rollingCorrelation(title: "c", times: times, correlation: z.map { $0.map { $0 / 4 } }),
            LineChart.normalisedPrices(series: [TestData.bars(count: 100), TestData.bars(count: 100, symbol: "ETHUSDT")]),
            Heatmap(title: "h", labels: ["A1", "B1", "C1"], values: [[1, 0.5, -0.5], [0.5, 1, 0], [-0.5, 0, 1]]),
        ]
        for chart in charts {
            let canvas = try Canvas(width: 200, height: 150)
            canvas.fill(canvas.bounds, color: .black)
            chart.draw(on: canvas, in: Rect(x: 10, y: 10, width: width, height: height))
            #expect(try canvas.pngData().count > 50)
            // Nothing is drawn outside the rectangle.
            for (x, y) in [(5, 5), (Int(width) + 12, 20), (20, Int(height) + 12), (199, 149)] {
                #expect(canvas.pixel(x: x, y: y)?.isClose(to: .black) == true, "\(type(of: chart)) at \(x),\(y)")
            }
        }
    }
}
