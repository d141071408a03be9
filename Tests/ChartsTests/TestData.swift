import Charts
import Foundation
import Market

/// Synthetic inputs and pixel helpers shared by the chart tests.
enum TestData {
    static let start = Timestamp(CivilTime(year: 2024, month: 7, day: 19))

    /// `count` bars of `timeframe` from ``start``; bar i is up when `up(i)`, with open/close 100 ± 2 around a level.
    static func bars(count: Int, timeframe: Timeframe = .oneMinute, symbol: Symbol = "BTCUSDT",
                     up: (Int) -> Bool = { $0 % 2 == 0 }) -> BarSeries {
        let bars = (0..<count).map { i -> Bar in
            let level = 100 + 10 * sin(Double(i) / 7)
            let (o, c) = up(i) ? (level - 2, level + 2) : (level + 2, level - 2)
            return Bar(openTime: start + TimeSpan(milliseconds: Int64(i) * timeframe.milliseconds), open: o,
                       high: max(o, c) + 1, low: min(o, c) - 1, close: c, volume: Double(10 + i % 5),
                       quoteVolume: 0, trades: 1, takerBuyVolume: 0)
        }
        return BarSeries(symbol: symbol, timeframe: timeframe, bars: bars)
    }

    /// A random walk of 1 s bars (deterministic).
    static func randomWalk(count: Int, seed: UInt64 = 42) -> BarSeries {
        var state = seed
        func next() -> Double {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Double(state >> 11) / Double(1 << 53) - 0.5
        }
        var price = 64_000.0
        var bars: [Bar] = []
        bars.reserveCapacity(count)
        for i in 0..<count {
            let o = price
            price += next() * 4
            let c = price
            bars.append(Bar(openTime: start + TimeSpan(milliseconds: Int64(i) * 1000), open: o, high: max(o, c) + abs(next()),
                            low: min(o, c) - abs(next()), close: c, volume: abs(next()) * 3, quoteVolume: 0, trades: 3,
                            takerBuyVolume: 0))
        }
        return BarSeries(symbol: "BTCUSDT", timeframe: .oneSecond, bars: bars)
    }

    /// Instants one minute apart from ``start``.
    static func minutes(_ count: Int) -> [Timestamp] {
        (0..<count).map { start + TimeSpan(milliseconds: Int64($0) * 60_000) }
    }
}

extension Color {
    /// Whether two colours agree within `tolerance` per 0…1 channel (alpha ignored).
    func isClose(to other: Color, tolerance: Double = 0.02) -> Bool {
        abs(red - other.red) <= tolerance && abs(green - other.green) <= tolerance && abs(blue - other.blue) <= tolerance
    }
}

extension Canvas {
    /// The colour of the device pixel under canvas point (`x`, `y`).
    func color(atCanvas x: Double, _ y: Double) -> Color? {
        pixel(x: Int((x * scale).rounded(.down)), y: Int((y * scale).rounded(.down)))
    }
}
