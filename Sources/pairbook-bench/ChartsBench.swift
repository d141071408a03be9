import ArgumentParser
import Charts
import Foundation
import Market

/// `pairbook-bench charts`: rendering time of the charts to PNG, against matplotlib/mplfinance in the same run.
///
/// 1. Generates a deterministic random walk of 604,800 one-second BTC-like bars (a week) and a
///    20 × 20 correlation matrix, and writes both to temporary CSVs for Python.
/// 2. Swift: candlestick + volume of the first 86,400 bars, of all 604,800, and the 20-symbol heatmap,
///    each drawn and PNG-encoded in memory at `--width × --height` (best of `--repeat` runs).
/// 3. Python: `scripts/bench/charts.py` renders the same charts from the same data with mplfinance /
///    matplotlib at the same pixel size, one process per chart with a time limit (CSV load not timed).
/// 4. Prints a Markdown table for BENCHMARKS.md. Times are process CPU time (the machine is shared; wall
///    time is shown beside it); the ratio is Python CPU ÷ Swift CPU.
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

    @Option(help: "Runs per Python measurement of the heatmap (best is reported; the candlestick charts run once).")
    var pythonRepeat = 3

    @Option(help: "Wall-clock limit in seconds for each Python chart (one over it is reported with the CPU time it had used).")
    var pythonTimeout = 900.0

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
        let heatmap = Heatmap(title: "Correlation, 20 symbols", labels: labels, values: matrix.map { $0.map { Optional($0) } })
        let swift: [String: Timing] = [
            "day": try Self.best(runs) { try CandlestickChart(series: day).pngData(size: size) },
            "week": try Self.best(runs) { try CandlestickChart(series: week).pngData(size: size) },
            "heatmap": try Self.best(runs) { try heatmap.pngData(size: size) },
        ]

        // 3. Python, one process per chart
        var python: [String: PythonResult] = [:]
        var versions = "not run"
        if !skipPython {
            let script = Self.scriptURL()
            for chart in ["day", "heatmap", "week"] {
                let result = try Self.runPython(self.python, script: script.path, timeout: pythonTimeout, arguments: [
                    "--chart", chart, "--bars", barsCSV.path, "--matrix", matrixCSV.path, "--out", dir.path,
                    "--width", String(width), "--height", String(height),
                    "--repeat", chart == "heatmap" ? String(pythonRepeat) : "1",
                ])
                python[chart] = result
                if case let .finished(_, v) = result { versions = v }
            }
        }

        // 4. Table
        func row(_ name: String, _ key: String, _ target: String) -> String {
            let s = swift[key] ?? Timing(cpu: .nan, wall: .nan)
            let (py, ratio): (String, String) = switch python[key] {
            case let .finished(t, _)?: (Self.fixed(t.cpu, 0) + " (" + Self.fixed(t.wall, 0) + ")", Self.fixed(t.cpu / s.cpu, 0) + "×")
            case let .timedOut(limit, cpu)?:
                ("> " + Self.fixed(cpu, 0) + " (stopped at the \(Self.fixed(limit, 0)) s limit)", "> " + Self.fixed(cpu / s.cpu, 0) + "×")
            case nil: ("–", "–")
            }
            return "| \(name) | \(Self.fixed(s.cpu, 1)) (\(Self.fixed(s.wall, 1))) | \(py) | \(ratio) | \(target) |"
        }
        print("""
            ### Charts (`pairbook-bench charts`)

            PNG \(width)×\(height) px at 1×, drawn and encoded in memory; synthetic 1 s random walk. Milliseconds of process \
            CPU time, wall-clock in parentheses (shared machine); Swift best of \(runs); Python: candlesticks once, heatmap best of \
            \(pythonRepeat), each chart in its own process with a \(Self.fixed(pythonTimeout, 0)) s wall-clock limit (a chart stopped at the \
            limit shows the CPU time it had used by then, imports and CSV load included). Python: \(versions).

            | chart | Swift ms | matplotlib / mplfinance ms | ratio (CPU) | target |
            | --- | ---: | ---: | ---: | --- |
            \(row("candlestick + volume, 86,400 × 1s bars", "day", "< 60 ms, ≥ 10×"))
            \(row("candlestick + volume, 604,800 × 1s bars", "week", "< 150 ms, ≥ 10×"))
            \(row("correlation heatmap, 20 symbols", "heatmap", "≥ 10×"))
            """)
    }

    /// CPU and wall-clock milliseconds of one measurement.
    struct Timing {
        var cpu: Double
        var wall: Double
    }

    /// What a Python chart run gave.
    enum PythonResult {
        case finished(Timing, versions: String)
        /// Stopped at the wall-clock limit after using `cpu` ms of CPU.
        case timedOut(seconds: Double, cpu: Double)
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

    /// `scripts/bench/charts.py` of the working directory (as `make bench` runs), else of this source tree.
    static func scriptURL() -> URL {
        let relative = "scripts/bench/charts.py"
        let cwd = URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent(relative)
        if FileManager.default.fileExists(atPath: cwd.path) { return cwd }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent(relative)
    }

    // MARK: - Measurement

    static func cpuMilliseconds() -> Double { BenchClock.cpuMilliseconds() }
    static func childrenCPUMilliseconds() -> Double { BenchClock.childrenCPUMilliseconds() }

    /// Best CPU and best wall time of `runs` renders.
    static func best(_ runs: Int, _ body: () throws -> Data) throws -> Timing {
        var best = Timing(cpu: .infinity, wall: .infinity)
        for _ in 0..<max(1, runs) {
            let c0 = cpuMilliseconds(), w0 = ContinuousClock.now
            let png = try body()
            let wall = ContinuousClock.now - w0, cpu = cpuMilliseconds() - c0
            guard png.count > 1000 else { throw ChartsBenchError.emptyImage }
            best.cpu = min(best.cpu, cpu)
            best.wall = min(best.wall, Double(wall.components.seconds) * 1000 + Double(wall.components.attoseconds) / 1e15)
        }
        return best
    }

    /// Runs the Python script for one chart, killing it after `timeout` seconds.
    static func runPython(_ python: String, script: String, timeout: Double, arguments: [String]) throws -> PythonResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [python, script] + arguments
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("pairbook-bench-charts-\(UUID().uuidString).json")
        guard FileManager.default.createFile(atPath: output.path, contents: nil) else {
            throw ChartsBenchError.python("cannot create \(output.path)")
        }
        let handle = try FileHandle(forWritingTo: output)
        defer {
            try? handle.close()
            try? FileManager.default.removeItem(at: output)
        }
        process.standardOutput = handle
        process.standardError = FileHandle.nullDevice
        let before = childrenCPUMilliseconds()
        try process.run()
        let deadline = ContinuousClock.now + .milliseconds(Int64(timeout * 1000))
        while process.isRunning {
            if ContinuousClock.now > deadline {
                process.terminate()
                process.waitUntilExit()
                return .timedOut(seconds: timeout, cpu: childrenCPUMilliseconds() - before)
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
        let data = try Data(contentsOf: output)
        guard process.terminationStatus == 0,
              let object = try JSONSerialization.jsonObject(with: data) as? [String: Any],
              let cpu = object["cpu_ms"] as? Double, let wall = object["wall_ms"] as? Double
        else { throw ChartsBenchError.python("\(script) \(arguments.prefix(2).joined(separator: " ")) exited \(process.terminationStatus)") }
        let versions = (object["versions"] as? [String: String])?.sorted { $0.key < $1.key }
            .map { "\($0.key) \($0.value)" }.joined(separator: ", ") ?? "unknown versions"
        return .finished(Timing(cpu: cpu, wall: wall), versions: versions)
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
