import Analytics
import ArgumentParser
import Collector
import Foundation
import Logging
import Market
import ReportEngine
import Storage

/// `pairbook-bench report`: the pair-overview report (HTML + PDF + CSV) over a simulated day, against the same
/// report made with pandas + statsmodels + matplotlib (`scripts/bench/reports.py`) in the same run.
///
/// 1. Simulates one day of BTCUSDT/ETHUSDT trades (≈ 1,000,000 ticks) into a temporary database with 1 s and 1 m
///    bars, through the recorder (not timed).
/// 2. Times `ReportJob` for `Reports/pair-overview.md` on 1 s bars (window 300) and on 1 m bars (window 60):
///    wall time, best of `--repeat`.
/// 3. Runs the Python pipeline on the same database and window and reports its wall time.
/// 4. Prints a Markdown table for BENCHMARKS.md, with the process's peak RSS.
struct ReportBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "pair-overview report (HTML, PDF, CSV) on a simulated day of 1 s and 1 m bars; vs pandas + matplotlib.")

    @Option(name: .customLong("repeat"), help: "Runs per Swift measurement (best is reported).")
    var runs = 3

    @Option(help: "How much to simulate.")
    var duration: String = "24h"

    @Flag(help: "Skip the Python comparison.")
    var skipPython = false

    @Option(help: "Python interpreter with pandas, statsmodels, matplotlib and mplfinance.")
    var python = "python3"

    func run() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pairbook-bench-report-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let dbPath = dir.appendingPathComponent("bench.sqlite").path
        var logger = Logger(label: "pairbook.bench")
        logger.logLevel = .warning

        // 1. Data (not timed).
        let span = try TimeSpan(parsing: duration)
        let start = Timestamp(CivilTime(year: 2024, month: 7, day: 19))
        let range = TimeRange(start: start, end: start + span)
        let simulator = Simulator(configuration: Simulator.Configuration(seed: 42))
        let pair = simulator.pair
        // Imported through a store of its own, closed afterwards (which checkpoints the WAL), as after `pairbook import`.
        let imported = try Recorder(store: Store(path: dbPath, logger: logger), timeframes: [.oneSecond, .oneMinute], logger: logger)
            .record(contentsOf: simulator.ticks(in: range))
        let store = try Store(path: dbPath, logger: logger)

        // 2. Swift.
        let script = ReportScript.locateShipped("pair-overview")
        let cases = [("1s", 300, 1.0), ("1m", 60, 0.3)]
        var measured: [(summary: String, inProcess: Double, cli: Double?, cliPeakRSS: Int?)] = []
        for (timeframe, window, _) in cases {
            let assignments = ["base=\(pair.base)", "quote=\(pair.quote)", "timeframe=\(timeframe)", "window=\(window)", "lookback=\(span)"]
            var best = Double.infinity
            var summary = ""
            for i in 0..<max(1, runs) {
                let out = dir.appendingPathComponent("swift-\(timeframe)-\(i)").path
                let job = ReportJob(scriptPath: script, assignments: assignments, at: range.end, outputRoot: out)
                let t0 = ContinuousClock.now
                let result = try job.run(store: store, logger: logger)
                best = min(best, Self.seconds(since: t0))
                summary = "\(result.report.analyses.first?.observations ?? 0) bars"
            }
            // What a user waits for: a fresh `pairbook report` process (start-up, database open, fonts, all files).
            var bestCLI: Double?, peakRSS: Int?
            for i in 0..<max(1, runs) {
                let out = dir.appendingPathComponent("cli-\(timeframe)-\(i)").path
                guard let (wall, rss) = try runCLI(script: script, db: dbPath, assignments: assignments, at: range.end, out: out) else { break }
                bestCLI = min(bestCLI ?? .infinity, wall)
                if let rss { peakRSS = max(peakRSS ?? 0, rss) }
            }
            measured.append((summary, best, bestCLI, peakRSS))
        }

        var rows: [[String]] = []
        for ((timeframe, window, target), m) in zip(cases, measured) {
            var pythonSeconds: Double?
            if !skipPython {
                pythonSeconds = try runPython(db: dbPath, pair: pair, timeframe: timeframe, range: range, window: window,
                                              out: dir.appendingPathComponent("py-\(timeframe)").path)
            }
            let reference = m.cli ?? m.inProcess
            let ratio = pythonSeconds.map { String(format: "%.0f×", $0 / reference) } ?? "–"
            rows.append([timeframe, m.summary, String(format: "%.3f", m.inProcess), m.cli.map { String(format: "%.3f", $0) } ?? "–",
                         m.cliPeakRSS.map { "\($0 / 1024) MB" } ?? "–", pythonSeconds.map { String(format: "%.2f", $0) } ?? "–", ratio,
                         String(format: "< %.1f s, < 200 MB", target)])
        }

        print("| bars | window bars | in-process wall s (best of \(runs)) | `pairbook report` CLI wall s (best of \(runs)) "
              + "| CLI peak RSS | pandas + statsmodels + matplotlib wall s | ratio (CLI) | target |")
        print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
        for r in rows { print("| " + r.joined(separator: " | ") + " |") }
        print("")
        print("pair-overview (7 charts, 3 tables, findings, quality) to HTML + PDF + CSV, from \(imported) simulated "
              + "\(pair) trades of \(span) (import not timed). Peak RSS of the bench process \(Self.peakRSSMegabytes()) MB "
              + "(includes the import); CLI peak RSS is the process's own VmHWM. "
              + "Release build; the CLI is the `pairbook` binary next to this one.")
    }

    static func seconds(since start: ContinuousClock.Instant) -> Double {
        let d = ContinuousClock.now - start
        return Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }

    static func peakRSSMegabytes() -> Int {
        var usage = rusage()
        #if os(Linux)
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Int(usage.ru_maxrss / 1024)  // kilobytes on Linux
        #else
        getrusage(RUSAGE_SELF, &usage)
        return Int(usage.ru_maxrss / 1_048_576)  // bytes on macOS
        #endif
    }

    /// Runs the release `pairbook report` next to this executable: its wall time and peak RSS (kB, as it logs it at
    /// debug level), or nil when it is missing or fails.
    func runCLI(script: String, db: String, assignments: [String], at: Timestamp, out: String) throws -> (Double, Int?)? {
        let binary = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
            .appendingPathComponent("pairbook")
        guard FileManager.default.isExecutableFile(atPath: binary.path) else {
            FileHandle.standardError.write(Data("note: \(binary.path) not found; build it for the CLI column\n".utf8))
            return nil
        }
        let process = Process()
        process.executableURL = binary
        process.arguments = ["report", script, "--db", db, "--at", at.iso8601(), "--out", out, "--log-level", "debug"]
            + assignments.flatMap { ["-p", $0] }
        process.standardOutput = FileHandle.nullDevice
        let log = Pipe()
        process.standardError = log
        let t0 = ContinuousClock.now
        try process.run()
        let text = String(decoding: log.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        let wall = Self.seconds(since: t0)
        guard process.terminationStatus == 0 else { return nil }
        let rss = text.range(of: "process.peak_rss_kb=").flatMap { Int(text[$0.upperBound...].prefix { $0.isNumber }) }
        return (wall, rss)
    }

    func runPython(db: String, pair: Pair, timeframe: String, range: TimeRange, window: Int, out: String) throws -> Double? {
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        let scriptPath = ReportScript.locateShipped("pair-overview")
            .replacingOccurrences(of: "Reports/pair-overview.md", with: "scripts/bench/reports.py")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [python, scriptPath, db, pair.base.name, pair.quote.name, timeframe, String(range.start.milliseconds),
                             String(range.end.milliseconds), String(window), out]
        let pipe = Pipe()
        process.standardOutput = pipe
        let t0 = ContinuousClock.now
        try process.run()
        _ = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let wall = Self.seconds(since: t0)
        return process.terminationStatus == 0 ? wall : nil
    }
}
