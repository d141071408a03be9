import Charts
import Foundation
import PairbookTestSupport
import Testing

/// Whole-image checks against committed PNGs (`Golden/`), compared by pixel RMS with a tolerance
/// so that anti-aliasing differences between Cairo/Pango builds do not fail the suite.
/// Re-record with `RECORD_GOLDEN=1 swift test --filter GoldenImageTests`.
struct GoldenImageTests {
    static let tolerance = 0.02

    func check(_ chart: some Chart, named name: String, size: Size) throws {
        let png = try chart.pngData(size: size)
        let outcome = Golden.check(png, named: name) { expected, actual in
            let dir = FileManager.default.temporaryDirectory
            let a = dir.appendingPathComponent("golden-expected-\(UUID().uuidString).png")
            let b = dir.appendingPathComponent("golden-actual-\(UUID().uuidString).png")
            defer {
                try? FileManager.default.removeItem(at: a)
                try? FileManager.default.removeItem(at: b)
            }
            guard (try? expected.write(to: a)) != nil, (try? actual.write(to: b)) != nil,
                  let x = try? Canvas(contentsOfPNG: a.path), let y = try? Canvas(contentsOfPNG: b.path)
            else { return "cannot decode PNGs" }
            guard let rms = x.rmsDifference(to: y) else { return "image sizes differ" }
            return rms <= Self.tolerance ? nil : "RMS \(rms) > \(Self.tolerance)"
        }
        #expect(outcome == .matched, "\(outcome)")
    }

    @Test("candlestick with volume")
    func candlestick() throws {
        try check(CandlestickChart(series: TestData.bars(count: 60)), named: "candlestick.png", size: Size(width: 640, height: 400))
    }

    @Test("z-score with breaches")
    func zScore() throws {
        let times = TestData.minutes(240)
        try check(LineChart.zScore(title: "BTCUSDT/ETHUSDT z-score", times: times,
                                   zScore: times.indices.map { $0 < 30 ? nil : 2.8 * sin(Double($0) / 11) }),
                  named: "zscore.png", size: Size(width: 640, height: 360))
    }

    @Test("correlation heatmap")
    func heatmap() throws {
        let labels = ["BTCUSDT", "ETHUSDT", "SOLUSDT", "BNBUSDT"]
        let values: [[Double?]] = [[1, 0.8, -0.6, 0.1], [0.8, 1, nil, -1], [-0.6, nil, 1, 0.4], [0.1, -1, 0.4, 1]]
        try check(Heatmap(title: "Correlation", labels: labels, values: values), named: "heatmap.png",
                  size: Size(width: 560, height: 440))
    }
}
