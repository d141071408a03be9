import Charts
import Foundation
import Market
import PairbookTestSupport
import Testing

/// Charts of the real Binance samples in `../shared/data` (skipped when absent).
@Suite(.enabled(if: SharedData.isAvailable, Comment(rawValue: SharedData.skipReason)))
struct RealDataTests {
    /// Binance USD-M 1m kline CSV → bars.
    static func klines(_ file: String, symbol: Symbol) throws -> BarSeries {
        let text = try String(contentsOf: SharedData.url("binance-usdm-klines-1m-2023-01-01_03/" + file), encoding: .utf8)
        var bars: [Bar] = []
        for line in text.split(separator: "\n").dropFirst() {
            let f = line.split(separator: ",").map { Double($0) ?? .nan }
            guard f.count >= 10 else { continue }
            bars.append(Bar(openTime: Timestamp(milliseconds: Int64(f[0])), open: f[1], high: f[2], low: f[3], close: f[4],
                            volume: f[5], quoteVolume: f[7], trades: Int64(f[8]), takerBuyVolume: f[9]))
        }
        return BarSeries(symbol: symbol, timeframe: .oneMinute, bars: bars)
    }

    @Test("BTCUSDT 2023-01-01 1m candles: nice price ticks every 20 USDT, 2-hour time ticks, date at midnight")
    func btcDay() throws {
        let series = try Self.klines("BTCUSDT-1m-2023-01-01.csv", symbol: "BTCUSDT")
        #expect(series.count == 1440)
        let chart = CandlestickChart(series: series)
        let canvas = try Canvas(width: 1000, height: 600)
        chart.draw(on: canvas, in: canvas.bounds)
        let layout = try #require(chart.layout(on: canvas, in: canvas.bounds))
        let price = layout.panels[0].axis
        #expect(price.step == 20)
        #expect(price.ticks.map(\.label) == ["16,500", "16,520", "16,540", "16,560", "16,580", "16,600", "16,620"])
        #expect(price.unit == "USDT")
        #expect(price.tags.first?.text == "16,610.3")
        #expect(layout.timeAxis.step == .fixed(2 * 3_600_000))
        #expect(layout.timeAxis.visibleLabels == ["Jan 1", "02:00", "04:00", "06:00", "08:00", "10:00", "12:00", "14:00",
                                                  "16:00", "18:00", "20:00", "22:00", "Jan 2"])
        #expect(layout.timeAxis.caption == "2023-01-01 – 2023-01-02 UTC")
        #expect(chart.subtitle == "2023-01-01 00:00 – 2023-01-02 00:00 UTC · 1,440 bars")
        // Every label is inside the chart and no two overlap.
        let frames = layout.timeAxis.ticks.compactMap(\.labelFrame) + price.ticks.compactMap(\.labelFrame)
        #expect(frames.allSatisfy { canvas.bounds.contains($0) })
        let x = layout.timeAxis.ticks.compactMap(\.labelFrame)
        #expect(!zip(x, x.dropFirst()).contains { $0.intersects($1) })
    }

    @Test("BTC and ETH rebased to 100 over three days share one axis and a legend")
    func rebased() throws {
        var btc = try Self.klines("BTCUSDT-1m-2023-01-01.csv", symbol: "BTCUSDT")
        var eth = try Self.klines("ETHUSDT-1m-2023-01-01.csv", symbol: "ETHUSDT")
        for day in ["02", "03"] {
            btc.bars += try Self.klines("BTCUSDT-1m-2023-01-\(day).csv", symbol: "BTCUSDT").bars
            eth.bars += try Self.klines("ETHUSDT-1m-2023-01-\(day).csv", symbol: "ETHUSDT").bars
        }
        let chart = LineChart.normalisedPrices(series: [btc, eth])
        let canvas = try Canvas(width: 1000, height: 600)
        let layout = try #require(chart.layout(on: canvas, in: canvas.bounds))
        // Day labels at each midnight inside the data; the closing midnight (Jan 4) sits under the last-value tags.
        #expect(layout.timeAxis.visibleLabels.filter { $0.hasPrefix("Jan") } == ["Jan 1", "Jan 2", "Jan 3"])
        let labels = layout.panels[0].axis.ticks.map(\.label)
        #expect(labels.contains("100.0") || labels.contains("100"))
        #expect(try chart.pngData(size: Size(width: 1000, height: 600)).count > 10_000)
    }
}
