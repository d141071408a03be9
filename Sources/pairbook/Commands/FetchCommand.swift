import ArgumentParser
import Collector
import DataMigration
import Foundation
import Logging
import Market
import PairbookApp
import Storage

extension DumpFetcher.Kind: ExpressibleByArgument {}

/// `pairbook fetch`: downloads Binance's daily USD-M dumps, verifies their SHA-256 and imports them.
struct FetchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fetch",
        abstract: "Download Binance USD-M daily dumps (data.binance.vision), verify their checksums and import them.",
        discussion: """
            Days already imported are skipped (a marker next to the downloaded file); an interrupted run resumes.
            Days Binance has not published are reported and skipped.
            """)

    @OptionGroup var global: GlobalOptions

    @Option(help: ArgumentHelp("Symbols, comma-separated (e.g. BTCUSDT,ETHUSDT).", valueName: "list"))
    var symbols: String

    @Option(help: ArgumentHelp("First day (UTC), e.g. 2024-01-01.", valueName: "date"))
    var from: Timestamp

    @Option(help: ArgumentHelp("Last day (UTC), inclusive.", valueName: "date"))
    var to: Timestamp

    @Option(help: ArgumentHelp("What to download: trades, aggTrades or klines-1m.", valueName: "kind"))
    var kind: DumpFetcher.Kind = .trades

    @Option(name: .customLong("base-url"), help: ArgumentHelp("Dump host.", valueName: "url"))
    var baseURL: String = DumpFetcher.productionBaseURL

    @Option(name: .customLong("download-dir"), help: ArgumentHelp("Where downloaded files are kept.", valueName: "path"))
    var downloadDirectory: String = "pairbook-downloads"

    @Option(help: ArgumentHelp("Bar timeframes to keep, comma-separated.", valueName: "list"))
    var timeframes: String = "1s,1m,5m"

    func validate() throws {
        guard from <= to else { throw ValidationError("--from must not be after --to") }
        do { _ = try Symbol.parseList(symbols) } catch { throw ValidationError("--symbols: \(error)") }
        do { _ = try Timeframe.parseList(timeframes) } catch { throw ValidationError("--timeframes: \(error)") }
    }

    func run() async throws {
        let logger = global.makeLogger(label: "pairbook.fetch")
        let symbols = try Symbol.parseList(self.symbols)
        let location = try StoreLocation(parsing: global.databasePath)
        let fetcher = DumpFetcher(baseURL: baseURL, directory: URL(fileURLWithPath: downloadDirectory, isDirectory: true))
        let (kind, from, to) = (self.kind, self.from, self.to)
        // The fetcher imports each day on a thread of its own.
        let results = try await location.withImportDestination(timeframes: try Timeframe.parseList(timeframes), logger: logger) {
            destination in
            await fetcher.run(symbols: symbols, kind: kind, from: from, to: to,
                              importer: CSVImporter(destination: destination, logger: logger)) { result, done, total in
                Console.progress("fetch \(done)/\(total): \(result.symbol) \(result.day)")
            }
        }
        Console.endProgress()
        var failures = 0
        for result in results {
            switch result.outcome {
            case .imported(let rows): Console.line("\(result.symbol) \(result.day): imported \(rows) rows")
            case .alreadyImported: Console.line("\(result.symbol) \(result.day): already imported, skipped")
            case .notPublished: Console.line("\(result.symbol) \(result.day): not published, skipped")
            case .failed(let reason):
                failures += 1
                Console.line("\(result.symbol) \(result.day): FAILED: \(reason)")
            }
        }
        if failures > 0 { throw ExitCode.failure }
    }
}
