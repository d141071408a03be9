import Analytics
import ArgumentParser
import Foundation
import Logging
import Market
import Storage

/// `pairbook-bench overview-queries`: what the dashboard's Overview asks of the store and the analytics, step by step,
/// on a database that holds a day of bars (the dashboard bench's `day.sqlite`): each leg's closes and bars read alone,
/// both legs' closes at once (as `/api/spread` reads them), the spread and the whole pair analysis.
struct OverviewQueryBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "overview-queries",
        abstract: "The reads and computations behind the Overview's /api/spread and the Analytics tab's /api/pair.")

    @Option(name: .long, help: "SQLite database with bars of both legs.")
    var db: String

    @Option(name: .long, help: "The pair, BASE/QUOTE.")
    var pair: String = "BTCUSDT/ETHUSDT"

    @Option(name: .long, help: "Bar timeframe.")
    var timeframe: String = "1s"

    @Option(name: .long, help: "Rolling window in bars.")
    var window: Int = 60

    @Option(name: .long, help: "Repetitions per step (the median is reported).")
    var repetitions: Int = 9

    func run() throws {
        let pair = try Pair(parsing: self.pair)
        let timeframe = try Timeframe(parsing: self.timeframe)
        let store = try Store(path: db, logger: .bench("overview-queries"))
        var ends: [Timestamp] = []
        for symbol in [pair.base, pair.quote] {
            guard let last = try store.lastBar(for: symbol, timeframe: timeframe) else {
                throw ValidationError("\(db): no \(timeframe) bars of \(symbol)")
            }
            ends.append(last.openTime + timeframe.span)
        }
        let end = ends.min()!
        let range = TimeRange(start: end - TimeSpan(milliseconds: 86_400_000), end: end)

        var rows: [[String]] = []
        var sink = 0
        func step(_ name: String, _ body: () throws -> Int) throws {
            let t = try AnalyticsBench.median(repetitions) { sink &+= try body() }
            rows.append([name, String(format: "%.1f", t.wall), String(format: "%.1f", t.cpu)])
        }
        let base = try store.closes(for: pair.base, timeframe: timeframe, in: range)
        let quote = try store.closes(for: pair.quote, timeframe: timeframe, in: range)
        try step("closes of \(pair.base) (\(base.count) bars)") { try store.closes(for: pair.base, timeframe: timeframe, in: range).count }
        try step("bars of \(pair.base), all columns") { try store.bars(for: pair.base, timeframe: timeframe, in: range).count }
        try step("closes of both legs at once") {
            let (a, b) = try Parallel.both({ try store.closes(for: pair.base, timeframe: timeframe, in: range) },
                                            { try store.closes(for: pair.quote, timeframe: timeframe, in: range) })
            return a.count + b.count
        }
        try step("PairSpread.compute (window \(window))") {
            try PairSpread.compute(base: base, quote: quote, window: window).spread.count
        }
        let baseBars = try store.bars(for: pair.base, timeframe: timeframe, in: range)
        let quoteBars = try store.bars(for: pair.quote, timeframe: timeframe, in: range)
        try step("PairAnalysis.compute (window \(window))") {
            try PairAnalysis.compute(base: baseBars, quote: quoteBars, window: window).observations
        }
        print("| step (\(pair) \(timeframe), a day) | wall ms (median of \(repetitions)) | CPU ms |")
        print("| --- | ---: | ---: |")
        for row in rows { print("| \(row.joined(separator: " | ")) |") }
        if sink == 42 { print("") }
    }
}
