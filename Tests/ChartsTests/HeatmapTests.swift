import Charts
import Foundation
import Testing

struct HeatmapTests {
    let theme = Theme.light
    let labels = ["BTCUSDT", "ETHUSDT", "SOLUSDT", "BNBUSDT"]
    let values: [[Double?]] = [
        [1, 0.8, -0.6, 0.1],
        [0.8, 1, nil, -1],
        [-0.6, nil, 1, 0.4],
        [0.1, -1, 0.4, 1],
    ]

    @Test("cell colours follow the values on a diverging scale centred at zero")
    func cellColours() throws {
        let chart = Heatmap(title: "corr", labels: labels, values: values)
        let canvas = try chart.render(size: Size(width: 700, height: 520), scale: 2)
        let layout = try #require(chart.layout(on: canvas, in: canvas.bounds))
        for r in 0..<4 {
            for c in 0..<4 {
                let cell = layout.cells[r][c]
                // A point near the corner, away from the printed value.
                let color = try #require(canvas.color(atCanvas: cell.minX + 4, cell.minY + 4))
                #expect(color.isClose(to: chart.color(for: values[r][c])), "cell \(r),\(c): \(color)")
            }
        }
        // Positive is red, negative blue, zero nearly white; stronger values are more saturated.
        #expect(chart.color(for: 0.8).red > chart.color(for: 0.8).blue)
        #expect(chart.color(for: -0.6).blue > chart.color(for: -0.6).red)
        #expect(chart.color(for: 0).isClose(to: theme.divergingMid))
        #expect(chart.color(for: 1).luminance < chart.color(for: 0.4).luminance)
        #expect(chart.color(for: nil) == theme.grid)
    }

    @Test("values are printed in the cells, an en dash where undefined")
    func cellTexts() throws {
        let chart = Heatmap(title: "corr", labels: labels, values: values)
        let canvas = try Canvas(width: 700, height: 520)
        let layout = try #require(chart.layout(on: canvas, in: canvas.bounds))
        #expect(layout.texts[0] == ["1.00", "0.80", "-0.60", "0.10"])
        #expect(layout.texts[1][2] == "–")
        #expect(layout.colorBarTicks.map(\.label) == ["-1.0", "-0.5", "0.0", "0.5", "1.0"])
    }

    @Test("labels never overlap: 20 symbols get rotated column labels, all inside the chart")
    func manyLabels() throws {
        let names = (0..<20).map { "SYM\($0)USDT" }
        let matrix = (0..<20).map { r in (0..<20).map { c -> Double? in r == c ? 1 : 0.5 } }
        let chart = Heatmap(title: "corr", labels: names, values: matrix)
        let canvas = try Canvas(width: 1000, height: 800)
        let layout = try #require(chart.layout(on: canvas, in: canvas.bounds))
        #expect(layout.columnLabelsRotated)
        for frames in [layout.rowLabelFrames, layout.columnLabelFrames] {
            #expect(!zip(frames, frames.dropFirst()).contains { $0.intersects($1) })
            #expect(frames.allSatisfy { canvas.bounds.contains($0) })
        }
        #expect(canvas.bounds.contains(layout.colorBar))
    }
}
