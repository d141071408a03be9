import ArgumentParser
import Foundation
import Logging
import Market
import Storage

/// `pairbook export bars|ticks`: stored data as RFC 4180 CSV.
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export stored bars or ticks as CSV (RFC 4180, header, ISO-8601 UTC times).",
        discussion: """
            Writes to --out, or to stdout. Lines end in CRLF as RFC 4180 asks; times are ISO-8601 UTC \
            with milliseconds (2024-07-19T00:00:02.813Z), numbers are plain decimals, so the file \
            opens cleanly in a spreadsheet. --from is inclusive and --to exclusive; both default to \
            everything stored.
            """)

    enum What: String, ExpressibleByArgument, CaseIterable {
        case bars, ticks
    }

    @OptionGroup var global: GlobalOptions

    @Argument(help: ArgumentHelp("What to export: bars or ticks.", valueName: "bars|ticks"))
    var what: What

    @Option(help: ArgumentHelp("The symbol, e.g. BTCUSDT.", valueName: "symbol"))
    var symbol: Symbol

    @Option(help: ArgumentHelp("Bar timeframe (bars only).", valueName: "tf"))
    var timeframe: Timeframe = .oneMinute

    @Option(help: ArgumentHelp("First time included (ISO-8601 UTC or epoch ms).", valueName: "time"))
    var from: Timestamp?

    @Option(help: ArgumentHelp("First time excluded (ISO-8601 UTC or epoch ms).", valueName: "time"))
    var to: Timestamp?

    @Option(help: ArgumentHelp("Output file (default: stdout).", valueName: "file"))
    var out: String?

    func validate() throws {
        if let from, let to, to <= from {
            throw ValidationError("--to (\(to.iso8601())) must be after --from (\(from.iso8601()))")
        }
    }

    func run() throws {
        let logger = global.makeLogger()
        guard FileManager.default.fileExists(atPath: global.databasePath) else {
            throw StoreError.cannotOpen(path: global.databasePath, reason: "no such database")
        }
        let store = try Store(path: global.databasePath, logger: logger)
        let range = TimeRange(start: from ?? TimeRange.all.start, end: to ?? TimeRange.all.end)
        var output = try CSVOutput(path: out)
        switch what {
        case .bars:
            output.row(["open_time", "symbol", "timeframe", "open", "high", "low", "close", "volume", "quote_volume",
                        "trades", "taker_buy_volume"])
            let name = symbol.name
            let tf = timeframe.description
            try store.forEachBar(of: symbol, timeframe: timeframe, in: range) { bar in
                output.row([bar.openTime.iso8601(), name, tf, number(bar.open), number(bar.high), number(bar.low),
                            number(bar.close), number(bar.volume), number(bar.quoteVolume), String(bar.trades),
                            number(bar.takerBuyVolume)])
                try output.flushIfFull()
            }
        case .ticks:
            output.row(["time", "symbol", "trade_id", "price", "quantity", "is_buyer_maker"])
            let name = symbol.name
            try store.forEachTick(of: symbol, in: range) { tick in
                output.row([tick.timestamp.iso8601(), name, String(tick.tradeID), number(tick.price),
                            number(tick.quantity), tick.isBuyerMaker ? "true" : "false"])
                try output.flushIfFull()
            }
        }
        try output.finish()
        if let out {
            logger.info("Exported", metadata: ["export.file": "\(out)", "export.rows": "\(output.rows - 1)"])
        }
    }

    /// A plain decimal without exponent where Swift would print one (spreadsheets read both; plain is friendlier).
    private func number(_ value: Double) -> String {
        let text = value.description
        guard text.contains("e") else { return text }
        return String(format: "%.10f", value).trimmingTrailingZeros()
    }
}

/// Buffered RFC 4180 output to a file or stdout (through `Console`).
private struct CSVOutput {
    private var buffer = ""
    private let handle: FileHandle?
    private(set) var rows = 0

    init(path: String?) throws {
        if let path {
            guard FileManager.default.createFile(atPath: path, contents: nil),
                  let handle = FileHandle(forWritingAtPath: path)
            else { throw ExportError.cannotWrite(path) }
            self.handle = handle
        } else {
            handle = nil
        }
        buffer.reserveCapacity(1 << 16)
    }

    /// Appends one record; fields with a comma, quote or line break are quoted, quotes doubled.
    mutating func row(_ fields: [String]) {
        for (i, field) in fields.enumerated() {
            if i > 0 { buffer.append(",") }
            if field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\r" || $0 == "\n" }) {
                buffer.append("\"")
                buffer.append(field.replacingOccurrences(of: "\"", with: "\"\""))
                buffer.append("\"")
            } else {
                buffer.append(field)
            }
        }
        buffer.append("\r\n")
        rows += 1
    }

    mutating func flushIfFull() throws {
        if buffer.utf8.count >= 1 << 16 { try flush() }
    }

    mutating func finish() throws {
        try flush()
        try handle?.close()
    }

    private mutating func flush() throws {
        guard !buffer.isEmpty else { return }
        if let handle {
            try handle.write(contentsOf: Data(buffer.utf8))
        } else {
            Console.write(buffer)
        }
        buffer.removeAll(keepingCapacity: true)
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

extension String {
    fileprivate func trimmingTrailingZeros() -> String {
        guard contains(".") else { return self }
        var s = Substring(self)
        while s.last == "0" { s.removeLast() }
        if s.last == "." { s.removeLast() }
        return String(s)
    }
}
