import ArgumentParser
import Collector
import DataMigration
import Foundation
import Market
import PairbookApp
import Storage

/// `pairbook import FILE…`: Binance public-data dumps into the database.
struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import Binance public-data dumps: trades, aggTrades and klines, .csv or .zip.",
        discussion: """
            The symbol and the kind come from the file name (BTCUSDT-trades-2024-01-01.zip, \
            BTCUSDT-aggTrades-2024-01.csv, BTCUSDT-1m-2023-01-01.csv) unless given. Trades are stored \
            as ticks and resampled into bars of --timeframes; klines are stored as bars of their \
            interval and rolled up to the coarser --timeframes.

            Files are streamed and written in batches; re-importing a file changes nothing, and an \
            interrupted import completes when run again. A bad row stops the import with its file \
            and line, unless --skip-bad is given.
            """)

    @OptionGroup var global: GlobalOptions

    @Argument(help: ArgumentHelp("Dump files (.csv or .zip).", valueName: "file"))
    var files: [String]

    @Option(help: ArgumentHelp("Symbol of every file (default: from each file name).", valueName: "symbol"))
    var symbol: Symbol?

    @Option(help: ArgumentHelp("Kind of dump: auto, trades, aggTrades or klines.", valueName: "kind"))
    var kind: ImportKindArgument = .auto

    @Option(help: ArgumentHelp("Bar timeframes to keep, comma-separated.", valueName: "list"))
    var timeframes: TimeframeList = TimeframeList(Timeframe.defaults)

    @Flag(help: "Skip and count bad rows instead of stopping at the first.")
    var skipBad = false

    func validate() throws {
        guard !files.isEmpty else { throw ValidationError("give at least one file to import") }
    }

    func run() async throws {
        let logger = global.makeLogger()
        let location = try StoreLocation(parsing: global.databasePath)
        let options = ImportOptions(symbol: symbol, kind: kind.kind, skipBadRows: skipBad)
        let files = self.files
        try await location.withImportDestination(timeframes: timeframes.values, logger: logger) { destination in
            nonisolated(unsafe) let destination = destination   // used on the import's thread alone
            try await onThreadOfItsOwn("pairbook.import") {
                try Self.importFiles(files, options: options, into: CSVImporter(destination: destination, logger: logger))
            }
        }
    }

    /// Imports `files` one after the other, with a progress line and a summary each, and a total after several.
    static func importFiles(_ files: [String], options: ImportOptions, into importer: CSVImporter) throws {
        var trades = RecordResult(), klines = 0, barsWritten = 0
        var rows = 0
        var badRows = 0
        let started = ContinuousClock.now
        for file in files {
            let summary = try importer.importFile(at: URL(fileURLWithPath: file), options: options) { progress in
                Console.progress(Self.progressLine(progress))
            }
            Console.endProgress()
            Console.line(summary.description)
            if let first = summary.firstBadRow {
                Console.line("  skipped \(summary.badRows) bad rows; first: \(first)")
            }
            if summary.kind.isTrades { trades += summary.recorded } else { klines += summary.recorded.inserted }
            barsWritten += summary.recorded.barsWritten
            rows += summary.rows
            badRows += summary.badRows
        }
        if files.count > 1 {
            let seconds = Self.seconds(since: started)
            // Trades and klines counted apart (a kline is stored as a bar, not as a trade).
            let stored = (trades == RecordResult() && klines > 0 ? [] : ["\(trades.inserted) new, \(trades.duplicates) duplicate trades"])
                + (klines > 0 ? ["\(klines) klines"] : []) + ["\(barsWritten) bars written"]
            Console.line("total: \(files.count) files, \(rows) rows, \(stored.joined(separator: ", ")), \(badRows) bad rows, "
                         + "\(String(format: "%.2f", seconds)) s")
        }
    }

    /// Seconds elapsed since `start`.
    static func seconds(since start: ContinuousClock.Instant) -> Double {
        let d = ContinuousClock.now - start
        return Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
    }

    /// `BTCUSDT-trades-2024-01-01.csv  42%  512,000 rows  431,220 rows/s  ETA 3s`
    static func progressLine(_ progress: ImportProgress) -> String {
        var parts = [progress.file]
        if let fraction = progress.fraction { parts.append("\(Int(fraction * 100))%") }
        parts.append("\(progress.rows) rows")
        parts.append("\(Int(progress.rowsPerSecond)) rows/s")
        if let remaining = progress.remainingSeconds { parts.append("ETA \(Int(remaining.rounded(.up)))s") }
        return parts.joined(separator: "  ")
    }
}

/// `--kind` values.
enum ImportKindArgument: String, ExpressibleByArgument, CaseIterable {
    case auto, trades, aggTrades, klines

    /// The importer's kind; `nil` = from the file name or the rows.
    var kind: ImportKind? {
        switch self {
        case .auto: return nil
        case .trades: return .trades
        case .aggTrades: return .aggTrades
        case .klines: return .klines(nil)
        }
    }
}

/// A comma-separated list of timeframes on the command line (`1s,1m,5m`), finest first.
struct TimeframeList: ExpressibleByArgument, CustomStringConvertible {
    var values: [Timeframe]

    init(_ values: [Timeframe]) { self.values = values }

    init?(argument: String) {
        guard let list = try? Timeframe.parseList(argument) else { return nil }
        values = list
    }

    var description: String { values.map(\.description).joined(separator: ",") }
    var defaultValueDescription: String { description }
}

