import ArgumentParser
import Charts
import Foundation
import Market

/// `pairbook-bench charts`: rendering time of the charts to PNG, against matplotlib/mplfinance in the same run.
///
/// 1. Generates a deterministic random walk of 604,800 one-second BTC-like bars (a week) and a
///    20 × 20 correlation matrix, and writes both to temporary CSVs for Python.
/// 2. Swift: candlestick + volume of the first 86,400 bars, of all 604,800, and the 20-symbol heatmap,
///    each drawn and PNG-encoded at `--width × --height` (best of `--repeat` runs).
/// 3. Python: `scripts/bench/charts.py` renders the same charts from the same data with mplfinance /
///    matplotlib (same pixel size) and reports its own best times (CSV load not timed).
/// 4. Prints a Markdown table (ms, ratio, target) for BENCHMARKS.md.
struct ChartsBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "charts",
        abstract: "Chart rendering to PNG: 86,400 and 604,800 1s candles, 20-symbol heatmap; vs matplotlib.")

    @Option(help: "Image width in pixels.")
    var width = 1200

    @Option(help: "Image height in pixels.")
    var height = 700

    @Option(name: .customLong("repeat"), help: "Runs per Swift measurement (best is reported).")
    var runs = 10

    @Option(help: "Runs per Python measurement of the day chart and heatmap (best is reported).")
    var pythonRepeat = 3

    @Flag(help: "Skip the Python comparison.")
    var skipPython = false

    @Option(help: "Python interpreter.")
    var python = "python3"

    func run() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pairbook-bench-charts-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }

        // 1. Data
        let week = Self.randomWalk(count: 604_800)
        let day = BarSeries(symbol: week.symbol, timeframe: week.timeframe, bars: Array(week.bars.prefix(86_400)))
        let (labels, matrix) = Self.correlationMatrix(symbols: 20)
        let barsCSV = dir.appendingPathComponent("bars.csv"), matrixCSV = dir.appendingPathComponent("matrix.csv")
        try Self.writeBars(week, to: barsCSV)
        try Self.writeMatrix(labels: labels, values: matrix, to: matrixCSV)

        // 2. Swift
        let size = Size(width: Double(width), height: Double(height))
        let swiftDay = try Self.bestMilliseconds(runs) { try CandlestickChart(series: day).pngData(size: size) }
        let swiftWeek = try Self.bestMilliseconds(runs) { try CandlestickChart(series: week).pngData(size: size) }
        let heatmap = Heatmap(title: "Correlation, 20 symbols", labels: labels, values: matrix.map { $0.map { Optional($0) } })
        let swiftHeatmap = try Self.bestMilliseconds(runs) { try heatmap.pngData(size: size) }

        // 3. Python
        var py: [String: Double] = [:]
        var versions = "not run"
        if !skipPython {
            let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().appendingPathComponent("scripts/bench/charts.py")
            let (json, v) = try Self.runPython(python, script: script.path, arguments: [
                "--bars", barsCSV.path, "--matrix", matrixCSV.path, "--out", dir.path, "--day", "86400",
                "--width", String(width), "--height", String(height), "--repeat", String(pythonRepeat), "--repeat-week", "1",
            ])
            py = json
            versions = v
        }

        // 4. Table
        func row(_ name: String, _ swift: Double, _ key: String, _ target: String) -> String {
            let p = py[key]
            let ratio = p.map { Self.fixed($0 / swift, 1) + "×" } ?? "–"
            return "| \(name) | \(Self.fixed(swift, 1)) | \(p.map { Self.fixed($0, 0) } ?? "–") | \(ratio) | \(target) |"
        }
        print("""
            ### Charts (`pairbook-bench charts`)

            PNG \(width)×\(height) px at 1×, drawn and encoded in memory (Swift best of \(runs), Python best of \(pythonRepeat), week chart once); \
            synthetic 1 s random walk; Python: \(versions).

            | chart | Swift ms | matplotlib / mplfinance ms | ratio | target |
            | --- | ---: | ---: | ---: | --- |
            \(row("candlestick + volume, 86,400 × 1s bars", swiftDay, "candles_day", "< 60 ms, ≥ 10×"))
            \(row("candlestick + volume, 604,800 × 1s bars", swiftWeek, "candles_week", "< 150 ms, ≥ 10×"))
            \(row("correlation heatmap, 20 symbols", swiftHeatmap, "heatmap", "≥ 10×"))
            """)
    }

    // MARK: - Data

    /// A deterministic random walk of 1 s bars around 64,000 (LCG, fixed seed).
    static func randomWalk(count: Int) -> BarSeries {
        var state: UInt64 = 0x5EED
        func next() -> Double {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Double(state >> 11) / Double(UInt64(1) << 53)
        }
        let start = Timestamp(seconds: 1_721_347_200)  // 2024-07-19T00:00:00Z
        var price = 64_000.0
        var bars: [Bar] = []
        bars.reserveCapacity(count)
        for i in 0..<count {
            let open = price
            price = ((price + (next() - 0.5) * 4) * 10).rounded() / 10
            let high = ((max(open, price) + next()) * 10).rounded() / 10, low = ((min(open, price) - next()) * 10).rounded() / 10
            bars.append(Bar(openTime: start + TimeSpan(milliseconds: Int64(i) * 1000), open: open, high: high, low: low,
                            close: price, volume: (next() * 3000).rounded() / 1000, quoteVolume: 0, trades: 1, takerBuyVolume: 0))
        }
        return BarSeries(symbol: "BTCUSDT", timeframe: .oneSecond, bars: bars)
    }

    /// A symmetric matrix with unit diagonal and values in −0.9…0.9.
    static func correlationMatrix(symbols n: Int) -> ([String], [[Double]]) {
        let labels = (0..<n).map { "SYM\($0)USDT" }
        let values = (0..<n).map { r in (0..<n).map { c in r == c ? 1 : (cos(Double(r * c) * 0.3) * 0.9 * 10_000).rounded() / 10_000 } }
        return (labels, values)
    }

    static func writeBars(_ series: BarSeries, to url: URL) throws {
        var text = "open_time_ms,open,high,low,close,volume\n"
        text.reserveCapacity(series.count * 48)
        for b in series.bars {
            text += "\(b.openTime.milliseconds),\(b.open),\(b.high),\(b.low),\(b.close),\(b.volume)\n"
        }
        try text.write(to: url, atomically: false, encoding: .utf8)
    }

    static func writeMatrix(labels: [String], values: [[Double]], to url: URL) throws {
        var text = labels.joined(separator: ",") + "\n"
        for row in values { text += row.map { String($0) }.joined(separator: ",") + "\n" }
        try text.write(to: url, atomically: false, encoding: .utf8)
    }

    // MARK: - Measurement

    static func bestMilliseconds(_ runs: Int, _ body: () throws -> Data) throws -> Double {
        var best = Double.infinity
        for _ in 0..<max(1, runs) {
            let t0 = ContinuousClock.now
            let png = try body()
            let elapsed = ContinuousClock.now - t0
            guard png.count > 1000 else { throw ChartsBenchError.emptyImage }
            best = min(best, Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15)
        }
        return best
    }

    static func runPython(_ python: String, script: String, arguments: [String]) throws -> ([String: Double], String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [python, script] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0,
              let object = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        else { throw ChartsBenchError.python("\(script) exited \(process.terminationStatus)") }
        var times: [String: Double] = [:]
        for (k, v) in object { if let d = v as? Double { times[k] = d } }
        let versions = (object["versions"] as? [String: String])?.sorted { $0.key < $1.key }
            .map { "\($0.key) \($0.value)" }.joined(separator: ", ") ?? "unknown versions"
        return (times, versions)
    }

    static func fixed(_ value: Double, _ decimals: Int) -> String {
        TickFormatter.format(value, decimals: decimals, grouping: true)
    }
}

/// Why the chart benchmark could not produce its table.
enum ChartsBenchError: Error, CustomStringConvertible {
    case emptyImage
    case python(String)

    var description: String {
        switch self {
        case .emptyImage: "a chart rendered to an empty PNG"
        case let .python(detail): "Python comparison failed: \(detail)"
        }
    }
}
