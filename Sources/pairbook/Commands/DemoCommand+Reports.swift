import Collector
import Foundation
import Market
import ReportEngine
import Storage

extension DemoCommand {
    /// Renders the shipped reports (`pair-overview`, `daily-summary`) over the simulated data into `output/` and
    /// prints where they are. The run time is the end of the simulated span.
    func renderReports(from store: Store) async throws {
        let logger = global.makeLogger()
        for name in ["pair-overview", "daily-summary"] {
            let script = ReportScript.locateShipped(name)
            let result = try await ReportCommand.render(script: script, store: store, at: range.end, out: "output", logger: logger)
            Console.line(result.summaryLine)
            Console.line("  open \(result.latestFolder)/report.html")
        }
    }

    /// When the real Binance sample is beside the repository (`../shared/data`, or `$PAIRBOOK_SHARED_DATA`), imports
    /// its three days of BTCUSDT/ETHUSDT 1-minute klines into `real-sample.sqlite` next to the demo database and
    /// renders `pair-overview` over them into `output/real-sample/`. Absent data is not an error: the demo is
    /// meant to run anywhere.
    func renderRealSample() async throws {
        let root = ProcessInfo.processInfo.environment["PAIRBOOK_SHARED_DATA"].flatMap { $0.isEmpty ? nil : $0 }
            ?? "../shared/data"
        let klines = URL(fileURLWithPath: root).appendingPathComponent("binance-usdm-klines-1m-2023-01-01_03")
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: klines.path) else { return }
        let files = names.filter { $0.hasSuffix(".csv") }.sorted().map { klines.appendingPathComponent($0) }
        guard !files.isEmpty else { return }

        let logger = global.makeLogger()
        let path = URL(fileURLWithPath: databasePath).deletingLastPathComponent()
            .appendingPathComponent("real-sample.sqlite").path
        for suffix in ["", "-wal", "-shm"] where FileManager.default.fileExists(atPath: path + suffix) {
            try FileManager.default.removeItem(atPath: path + suffix)
        }
        let store = try Store(path: path, logger: logger)
        let importer = CSVImporter(store: store, timeframes: timeframes.values, logger: logger)
        for file in files { _ = try importer.importFile(at: file) }
        Console.line("real sample: \(files.count) Binance kline files from \(klines.path) → \(path)")

        let end = try Timestamp(parsing: "2023-01-04")
        let result = try await ReportCommand.render(
            script: ReportScript.locateShipped("pair-overview"), store: store, assignments: ["lookback=3d"],
            at: end, out: "output/real-sample", logger: logger)
        Console.line(result.summaryLine)
        Console.line("  open \(result.latestFolder)/report.html")
    }
}
