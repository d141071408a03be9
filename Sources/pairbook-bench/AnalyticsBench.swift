import Analytics
import ArgumentParser
import Foundation
import Market
import PairbookTestSupport

/// `pairbook-bench analytics`: the pair pipeline on synthetic 1 s bars, against pandas + statsmodels.
///
/// Pipeline (as the issue defines it): alignment, static OLS, rolling OLS, spread z-score, rolling price and
/// log-return correlations, ADF with autolag AIC, half-life. The same data goes to
/// `scripts/bench/analytics.py` through temporary CSV files, in the same run. Prints a Markdown table.
struct AnalyticsBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "analytics",
        abstract: "Pair analytics (alignment, OLS, rolling stats, ADF, half-life) vs pandas + statsmodels.")

    @Option(name: .long, parsing: .upToNextOption, help: "Bar counts to run.")
    var sizes: [Int] = [86_400, 604_800]

    @Option(name: .long, help: "Rolling window in bars.")
    var window: Int = 300

    @Option(name: .long, help: "Swift repetitions per size (the median is reported).")
    var repetitions: Int = 5

    @Option(name: .long, help: "Python interpreter with pandas and statsmodels.")
    var python: String = "python3"

    @Flag(name: .long, help: "Do not run the Python comparison.")
    var skipPython = false

    /// statsmodels keeps every candidate fit of the lag search (each with an m × k pseudo-inverse): at 604,800 bars
    /// (maxlag 106) that is more than 20 GB, so by default adfuller runs only up to 86,400 bars.
    @Option(name: .long, help: "Largest size for which Python runs adfuller (it needs > 20 GB at 604,800 bars).")
    var pythonADFLimit: Int = 86_400

    func run() throws {
        var rows: [[String]] = []
        var notes: [String] = []
        for n in sizes {
            let (base, quote) = Self.syntheticPair(bars: n, seed: UInt64(n))
            // Swift: the pipeline step by step (what the Python script does), then ADF alone, then PairAnalysis.
            var sink = 0.0
            let pipeline = try Self.median(repetitions) {
                let r = try Self.pipeline(base: base, quote: quote, window: window)
                sink += r.adf?.statistic ?? 0
            }
            let withoutADF = try Self.median(repetitions) {
                let r = try Self.pipeline(base: base, quote: quote, window: window, adf: false)
                sink += r.halfLife ?? 0
            }
            let aligned = AlignedPair(base: base, quote: quote)
            let beta = try OLS.fit(y: aligned.base, x: aligned.quote).slope
            let spread = zip(aligned.base, aligned.quote).map { $0 - beta * $1 }
            var adfResult: ADFResult?
            let adfTime = try Self.median(repetitions) { adfResult = try ADF.test(spread) }
            let full = try Self.median(max(1, repetitions / 2)) {
                sink += try PairAnalysis.compute(base: base, quote: quote, window: window).spreadMean
            }
            guard let adf = adfResult else { continue }
            var py: [String: Any]?
            if !skipPython {
                py = try runPython(base: base, quote: quote, skipADF: n > pythonADFLimit)
            }
            let pyPipeline = (py?["pipeline_ms"] as? Double)
            let pyADF = (py?["adf_ms"] as? Double)
            let pyWithoutADF = (py?["pipeline_without_adf_ms"] as? Double)
            func ratio(_ a: Double?, _ b: Timing) -> String { a.map { String(format: "%.0f×", $0 / b.cpu) } ?? "–" }
            func ms(_ v: Double?) -> String { v.map { String(format: "%.1f", $0) } ?? "–" }
            func ms(_ t: Timing) -> String { String(format: "%.1f | %.1f", t.cpu, t.wall) }
            let label = n.formatted(.number.grouping(.automatic))
            let pyFull = n > pythonADFLimit ? nil : pyPipeline
            rows.append([label, "pipeline (align, OLS, rolling OLS, z, 2 corr, ADF AIC, half-life)", ms(pipeline), ms(pyFull),
                         ratio(pyFull, pipeline)])
            rows.append([label, "pipeline without ADF", ms(withoutADF), ms(pyWithoutADF), ratio(pyWithoutADF, withoutADF)])
            rows.append([label, "ADF autolag AIC (maxlag \(adf.maxLag), used \(adf.usedLag))", ms(adfTime), ms(pyADF), ratio(pyADF, adfTime)])
            rows.append([label, "PairAnalysis.compute (also TLS, Engle–Granger, liquidity)", ms(full), "–", "–"])
            if let pyStat = py?["adf_statistic"] as? Double {
                let rel = abs(pyStat - adf.statistic) / abs(pyStat)
                notes.append("n = \(label): ADF τ Swift \(adf.statistic) vs statsmodels \(pyStat) (rel. diff \(String(format: "%.1e", rel))), "
                             + "used lag \(adf.usedLag) vs \(py?["adf_usedlag"] as? Int ?? -1)")
            }
            if sink.isNaN { notes.append("(sink \(sink))") }
        }
        print("| bars | step | Swift CPU ms (median of \(repetitions)) | Swift wall ms (median) | pandas + statsmodels CPU ms | ratio (CPU) |")
        print("| ---: | --- | ---: | ---: | ---: | ---: |")
        for r in rows { print("| " + r.joined(separator: " | ") + " |") }
        print("")
        print("Window \(window); Python runs adfuller up to \(pythonADFLimit) bars; synthetic cointegrated 1 s bars (0.1 % of bars missing on each leg); release build; CPU time of the process (Swift `clock_gettime(CLOCK_PROCESS_CPUTIME_ID)`, Python `time.process_time()` with one BLAS thread); Swift wall time `CLOCK_MONOTONIC`.")
        for note in notes { print("- \(note)") }
    }

    // MARK: - The pipeline

    struct PipelineResult {
        var adf: ADFResult?
        var halfLife: Double?
    }

    static func pipeline(base: BarSeries, quote: BarSeries, window: Int, adf runADF: Bool = true) throws -> PipelineResult {
        let aligned = AlignedPair(base: base, quote: quote)
        let y = aligned.base
        let x = aligned.quote
        let fit = try OLS.fit(y: y, x: x)
        var spread = [Double](repeating: 0, count: y.count)
        for i in y.indices { spread[i] = y[i] - fit.slope * x[i] }
        let rolling = try Rolling.regression(y: y, x: x, window: window)
        let z = try Rolling.meanStdZ(spread, window: window)
        let corr = try Rolling.correlation(y, x, window: window)
        let returnCorr = try Rolling.returnCorrelation(y, x, window: window)
        let adf = runADF ? try ADF.test(spread) : nil
        let halfLife = try HalfLife.bars(spread)
        precondition(rolling.slope.count == y.count && z.z.count == y.count && corr.count == y.count && returnCorr.count == y.count)
        return PipelineResult(adf: adf, halfLife: halfLife)
    }

    /// CPU time of this process in ms (the machine is shared: wall-clock time would measure the neighbours).
    static func cpuMilliseconds() -> Double { BenchClock.cpuMilliseconds() }

    /// Monotonic wall-clock time in ms (reported next to CPU time; inflated by the neighbours on a shared machine).
    static func wallMilliseconds() -> Double { BenchClock.wallMilliseconds() }

    /// Median CPU and median wall time of `repetitions` runs after one warm-up run.
    struct Timing {
        var cpu: Double
        var wall: Double
    }

    static func median(_ repetitions: Int, _ body: () throws -> Void) throws -> Timing {
        try body()  // warm-up
        var cpu: [Double] = []
        var wall: [Double] = []
        for _ in 0..<max(1, repetitions) {
            let startWall = wallMilliseconds()
            let start = cpuMilliseconds()
            try body()
            cpu.append(cpuMilliseconds() - start)
            wall.append(wallMilliseconds() - startWall)
        }
        cpu.sort()
        wall.sort()
        return Timing(cpu: cpu[cpu.count / 2], wall: wall[wall.count / 2])
    }

    // MARK: - Data

    /// A cointegrated pair of 1 s bar series: x a random walk near 3,000 (ETH), y ≈ 500 + 19.8·x + AR(1) noise
    /// near 60,000 (BTC). About 0.1 % of bars are missing on each leg, at different times.
    static func syntheticPair(bars n: Int, seed: UInt64) -> (BarSeries, BarSeries) {
        var rng = SplitMix(seed: seed)
        let start = Timestamp(milliseconds: 1_721_347_200_000)  // 2024-07-19T00:00:00Z
        var x = 3000.0
        var e = 0.0
        var base: [Bar] = []
        var quote: [Bar] = []
        base.reserveCapacity(n)
        quote.reserveCapacity(n)
        for i in 0..<n {
            x += 0.5 * rng.normal()
            e = 0.995 * e + 2 * rng.normal()
            let y = 500 + 19.8 * x + e
            let t = start + TimeSpan(milliseconds: Int64(i) * 1000)
            if rng.uniform() >= 0.001 { base.append(Self.bar(t, y)) }
            if rng.uniform() >= 0.001 { quote.append(Self.bar(t, x)) }
        }
        return (BarSeries(symbol: "BTCUSDT", timeframe: .oneSecond, bars: base),
                BarSeries(symbol: "ETHUSDT", timeframe: .oneSecond, bars: quote))
    }

    static func bar(_ t: Timestamp, _ c: Double) -> Bar {
        Bar(openTime: t, open: c, high: c, low: c, close: c, volume: 1, quoteVolume: c, trades: 1, takerBuyVolume: 0.5)
    }

    // MARK: - Python

    /// The repository root, from this source file (symlinks resolved).
    static var repositoryRoot: URL {
        URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    func runPython(base: BarSeries, quote: BarSeries, skipADF: Bool) throws -> [String: Any]? {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pairbook-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let basePath = dir.appendingPathComponent("base.csv")
        let quotePath = dir.appendingPathComponent("quote.csv")
        try Self.csv(base).write(to: basePath, atomically: true, encoding: .utf8)
        try Self.csv(quote).write(to: quotePath, atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        var arguments = [python, Self.repositoryRoot.appendingPathComponent("scripts/bench/analytics.py").path,
                         basePath.path, quotePath.path, String(window)]
        if skipADF { arguments.append("--skip-adf") }
        process.arguments = arguments
        // One BLAS thread: OpenBLAS worker threads spin while waiting, which would bill idle CPU time to Python.
        var environment = ProcessInfo.processInfo.environment
        for key in ["OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"] { environment[key] = "1" }
        process.environment = environment
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0,
              let line = String(data: data, encoding: .utf8)?.split(separator: "\n").last,
              let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
        else { return nil }
        return object
    }

    static func csv(_ series: BarSeries) -> String {
        var out = "ts,close\n"
        out.reserveCapacity(series.count * 32)
        for b in series.bars { out += "\(b.openTime.milliseconds),\(b.close)\n" }
        return out
    }
}

extension AnalyticsBench {
    /// SplitMix64 with Box–Muller normals: deterministic synthetic data.
    struct SplitMix {
        var generator: SplitMix64
        init(seed: UInt64) { generator = SplitMix64(seed: seed &+ 0x9E37_79B9_7F4A_7C15) }

        mutating func next() -> UInt64 { generator.next() }

        /// Uniform in [0, 1).
        mutating func uniform() -> Double { Double(next() >> 11) / Double(UInt64(1) << 53) }

        /// Standard normal.
        mutating func normal() -> Double {
            let u = max(uniform(), .leastNonzeroMagnitude)
            let v = uniform()
            return (-2 * log(u)).squareRoot() * cos(2 * .pi * v)
        }
    }
}
