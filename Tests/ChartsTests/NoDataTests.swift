import Charts
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
}
