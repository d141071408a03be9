import Charts
import Foundation
import Market
import Testing

struct CandlestickChartTests {
    let theme = Theme.light

    @Test("the image has the requested size in device pixels", arguments: [1.0, 2.0])
    func imageSize(scale: Double) throws {
        let chart = CandlestickChart(series: TestData.bars(count: 40))
        let canvas = try chart.render(size: Size(width: 640, height: 400), scale: scale)
        #expect(canvas.pixelSize.width == Int(640 * scale))
        #expect(canvas.pixelSize.height == Int(400 * scale))
        // The PNG's IHDR says the same.
        let png = try canvas.pngData()
        #expect(png.prefix(8) == Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]))
        let width = png[16..<20].reduce(0) { $0 << 8 | Int($1) }, height = png[20..<24].reduce(0) { $0 << 8 | Int($1) }
        #expect(width == Int(640 * scale) && height == Int(400 * scale))
    }

    @Test("up and down colours appear at each candle body and volume bar, where the data says")
    func candleColours() throws {
        // Given 40 one-minute bars alternating up and down
        let series = TestData.bars(count: 40)
        let chart = CandlestickChart(series: series)
        let canvas = try Canvas(width: 800, height: 500)
        // When the chart is drawn
        chart.draw(on: canvas, in: canvas.bounds)
        // Then the pixel at the centre of each body has the candle's colour, and each volume bar its translucent colour
        let layout = try #require(chart.layout(on: canvas, in: canvas.bounds))
        let x = layout.timeAxis.scale, price = layout.panels[0].axis.scale, volume = layout.panels[1].axis.scale
        for bar in series.bars {
            let cx = x(bar.openTime.milliseconds + 30_000)
            let body = try #require(canvas.color(atCanvas: cx, price((bar.open + bar.close) / 2)))
            #expect(body.isClose(to: bar.isUp ? theme.up : theme.down), "bar at \(bar.openTime): \(body)")
            let vol = try #require(canvas.color(atCanvas: cx, volume(bar.volume / 2)))
            #expect(vol.isClose(to: Color.white.mixed(with: bar.isUp ? theme.up : theme.down, 0.55), tolerance: 0.03))
        }
    }

    @Test("a doji (open = close) still shows a body at least one device pixel high", arguments: [1.0, 2.0])
    func minimumBody(scale: Double) throws {
        var series = TestData.bars(count: 20)
        series.bars[10].open = series.bars[10].close
        series.bars[10].high = series.bars[10].close
        series.bars[10].low = series.bars[10].close
        let chart = CandlestickChart(series: series)
        let canvas = try chart.render(size: Size(width: 600, height: 400), scale: scale)
        let layout = try #require(chart.layout(on: canvas, in: canvas.bounds))
        let cx = layout.timeAxis.scale(series.bars[10].openTime.milliseconds + 30_000)
        let cy = canvas.snap(layout.panels[0].axis.scale(series.bars[10].close))
        let hit = (-1...1).contains { dy in
            canvas.pixel(x: Int(cx * scale), y: Int(cy * scale) + dy)?.isClose(to: theme.up) ?? false
        }
        #expect(hit)
    }

    @Test("86,400 one-second bars are aggregated per pixel column and keep the direction of each half")
    func aggregation() throws {
        // Given a day of 1 s bars: rising all morning, falling all afternoon
        var bars: [Bar] = []
        bars.reserveCapacity(86_400)
        for i in 0..<86_400 {
            let rising = i < 43_200
            let level = rising ? 100 + Double(i) * 0.001 : 143.2 - Double(i - 43_200) * 0.001
            let (o, c) = rising ? (level, level + 0.001) : (level, level - 0.001)
            bars.append(Bar(openTime: TestData.start + TimeSpan(milliseconds: Int64(i) * 1000), open: o, high: max(o, c),
                            low: min(o, c), close: c, volume: 1, quoteVolume: 0, trades: 1, takerBuyVolume: 0))
        }
        let series = BarSeries(symbol: "BTCUSDT", timeframe: .oneSecond, bars: bars)
        let chart = CandlestickChart(series: series)
        let canvas = try chart.render(size: Size(width: 800, height: 500))
        let layout = try #require(chart.layout(on: canvas, in: canvas.bounds))
        let x = layout.timeAxis.scale, y = layout.panels[0].axis.scale
        // Then a column in the first quarter is an up column at its price, one in the last quarter a down column
        for (i, up) in [(21_600, true), (64_800, false)] {
            let cx = x(bars[i].openTime.milliseconds)
            let color = try #require(canvas.color(atCanvas: cx, y(bars[i].close)))
            #expect(color.isClose(to: up ? theme.up : theme.down, tolerance: 0.05), "\(i): \(color)")
        }
        // And the volume axis covers the summed volume of a column (≈ 86,400 bars / plot width in pixels, 1 each)
        let perColumn = 86_400 / layout.panels[1].plot.width
        #expect(layout.panels[1].axis.scale.domainUpper >= perColumn.rounded(.up))
        #expect(layout.panels[1].axis.scale.domainUpper < perColumn * 1.5)
        // And the price axis shows nice labels
        #expect(layout.panels[0].axis.visibleLabels.contains("120"))
        #expect(layout.timeAxis.visibleLabels.contains("12:00"))
    }

    @Test("the last close is tagged on the price axis in the last candle's colour")
    func lastValueTag() throws {
        let series = TestData.bars(count: 30)
        let chart = CandlestickChart(series: series)
        let canvas = try Canvas(width: 600, height: 400)
        chart.draw(on: canvas, in: canvas.bounds)
        let layout = try #require(chart.layout(on: canvas, in: canvas.bounds))
        let tag = try #require(layout.panels[0].axis.tags.first)
        let last = try #require(series.bars.last)
        #expect(tag.tag.value == last.close)
        #expect(tag.text == TickFormatter.format(last.close, decimals: TickFormatter.decimals(for: layout.panels[0].axis.step) + 1, grouping: false))
        let color = try #require(canvas.color(atCanvas: tag.frame.minX + 2, tag.frame.minY + 2))
        #expect(color.isClose(to: last.isUp ? theme.up : theme.down))
        // No tick label is hidden under the tag, and no two labels overlap.
        let frames = layout.panels[0].axis.ticks.compactMap(\.labelFrame)
        #expect(!frames.contains { $0.intersects(tag.frame) })
        #expect(!zip(frames, frames.dropFirst()).contains { $0.intersects($1) })
    }

    @Test("a 2.5 USDT range on BTC is labelled relative to an offset shown above the axis")
    func offsetAxis() throws {
        let start = TestData.start
        let bars = (0..<30).map { i -> Bar in
            let p = 63_950.25 + Double(i % 10) * 0.2
            return Bar(openTime: start + TimeSpan(milliseconds: Int64(i) * 1000), open: p, high: p + 0.1, low: p - 0.1,
                       close: p + 0.05, volume: 1, quoteVolume: 0, trades: 1, takerBuyVolume: 0)
        }
        let chart = CandlestickChart(series: BarSeries(symbol: "BTCUSDT", timeframe: .oneSecond, bars: bars))
        let canvas = try Canvas(width: 600, height: 400)
        let layout = try #require(chart.layout(on: canvas, in: canvas.bounds))
        let axis = layout.panels[0].axis
        #expect(axis.offsetLabel == "+63,950")
        #expect(axis.ticks.map(\.label) == ["0.5", "1.0", "1.5", "2.0"])
        #expect(axis.ticks.allSatisfy { abs(($0.value - 63_950) - (Double($0.label) ?? .nan)) < 1e-9 })
        #expect(axis.tags.first?.text == "63,952.10")
    }
}
