import ArgumentParser
import Dashboard
import Foundation
import Logging
import Market
import ReportEngine
import Storage

/// `pairbook export bars|ticks`: stored data as RFC 4180 CSV.
struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export stored bars or ticks as CSV (RFC 4180, header, ISO-8601 UTC times).",
        discussion: """
            Writes to --out, or to stdout. Lines end in CRLF as RFC 4180 asks; times are ISO-8601 UTC \
            with milliseconds (2024-07-19T00:00:02.813Z), numbers are plain decimals, so the file \
            opens cleanly in a spreadsheet. The window is --from (inclusive) to --to (exclusive), each \
            defaulting to everything stored; or --lookback ending at --at (default: the end of the newest \
            bar, or just after the newest trade for ticks).
            """)

    enum What: String, ExpressibleByArgument, CaseIterable {
        case bars, ticks
    }

    @OptionGroup var global: GlobalOptions

    @Argument(help: ArgumentHelp("What to export: bars or ticks.", valueName: "bars|ticks"))
    var what: What

    @Option(help: ArgumentHelp("The symbol, e.g. BTCUSDT.", valueName: "symbol"), transform: Symbol.argument)
    var symbol: Symbol

    @Option(help: ArgumentHelp("Bar timeframe, bars only (default 1m).", valueName: "tf"), transform: Timeframe.argument)
    var timeframe: Timeframe = .oneMinute

    @OptionGroup var window: WindowOptions

    @Option(help: ArgumentHelp("Output file (default: stdout).", valueName: "file"))
    var out: String?

    func validate() throws { try window.validateWithoutDefaultLookback() }

    func run() async throws {
        let logger = global.makeLogger()
        let rows = try await global.withStore(logger: logger) { store in try self.export(from: store) }
        if let out {
            logger.info("Exported", metadata: ["export.file": "\(out)", "export.rows": "\(rows)"])
        }
    }

    /// Writes the CSV; returns its rows without the header.
    private func export(from store: any DashboardStore) throws -> Int {
        let range = try window.range {
            switch what {
            case .bars: try store.lastBar(for: symbol, timeframe: timeframe).map { $0.openTime + timeframe.span }
            case .ticks: try store.lastTicks(of: [symbol])[symbol].map { $0.timestamp + TimeSpan(milliseconds: 1) }
            }
        } ?? TimeRange(start: Timestamp(milliseconds: 0), end: Timestamp(milliseconds: 0))
        let handle = try Self.openOutput(out)
        var output = CSVExport { chunk in
            if let handle { try handle.write(contentsOf: Data(chunk.utf8)) } else { Console.write(chunk) }
        }
        switch what {
        case .bars: try output.bars(of: symbol, timeframe: timeframe, in: range, store: store)
        case .ticks: try output.ticks(of: symbol, in: range, store: store)
        }
        try output.finish()
        try handle?.close()
        return output.rows - 1
    }

    /// The output file, created or truncated; `nil` for stdout.
    private static func openOutput(_ path: String?) throws -> FileHandle? {
        guard let path else { return nil }
        guard FileManager.default.createFile(atPath: path, contents: nil), let handle = FileHandle(forWritingAtPath: path) else {
            throw ExportError.cannotWrite(path)
        }
        return handle
    }
}

/// Why an export could not be written.
enum ExportError: Error, CustomStringConvertible, Equatable {
    case cannotWrite(String)

    var description: String {
        switch self {
        case .cannotWrite(let path): return "cannot write \(path)"
        }
    }
}
