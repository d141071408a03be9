import Foundation
import Logging
import Market
import Storage

/// What to import a file as.
public struct ImportOptions: Sendable, Hashable {
    /// The symbol; `nil` takes it from the file name (`BTCUSDT-trades-2024-01-01.csv`).
    public var symbol: Symbol?
    /// The layout; `nil` takes it from the file name, or else from the first data row.
    public var kind: ImportKind?
    /// Skip and count bad rows instead of stopping at the first.
    public var skipBadRows: Bool

    public init(symbol: Symbol? = nil, kind: ImportKind? = nil, skipBadRows: Bool = false) {
        self.symbol = symbol
        self.kind = kind
        self.skipBadRows = skipBadRows
    }
}

/// Imports Binance public-data dumps (data.binance.vision) into the store: `trades` and `aggTrades`
/// of USD-M futures and spot, and klines of any interval; plain `.csv` or `.zip`, with or without header.
///
/// Trades go through the ``Recorder`` (ticks plus bars of every configured timeframe); klines are
/// stored as bars of their interval and rolled up to the coarser configured timeframes.
///
/// **Streaming.** The file is read in 1 MiB chunks and parsed byte by byte (no `String` per row);
/// rows are written in batches, so memory is O(batch size) whatever the file size.
///
/// **Atomicity: resumable, not all-or-nothing.** Each batch of `batchSize` rows is one transaction in
/// which ticks and their bars commit together, so the database is consistent after any interruption
/// (crash, `kill -9`, a bad row). Importing the same file again skips the trades already stored
/// and completes the rest: imports are idempotent, and an interrupted one finishes on re-run. A bad
/// row stops the import before anything after it is written (rows before it are valid and stay),
/// with an ``ImportError/badRow(_:reason:)`` naming file and line; with
/// ``ImportOptions/skipBadRows`` bad rows are counted in the summary instead.
///
/// ```swift
/// let importer = CSVImporter(store: store)
/// let summary = try importer.importFile(at: URL(fileURLWithPath: "BTCUSDT-trades-2024-01-01.zip"))
/// print(summary)   // BTCUSDT-trades-2024-01-01.zip/…csv: BTCUSDT trades, 1042 rows, …
/// ```
public final class CSVImporter {
    /// Rows per transaction.
    public let batchSize: Int
    private let store: Store
    private let recorder: Recorder
    private let logger: Logger

    /// Creates an importer writing to `store`, keeping bars of `timeframes` (default 1s, 1m, 5m).
    public init(store: Store, timeframes: [Timeframe] = Timeframe.defaults, batchSize: Int = 50_000,
                logger: Logger = Logger(label: "pairbook.import")) {
        precondition(batchSize > 0, "batch size must be positive")
        self.store = store
        self.batchSize = batchSize
        self.recorder = Recorder(store: store, timeframes: timeframes, logger: logger)
        self.logger = logger
    }

    /// The bar timeframes kept, finest first.
    public var timeframes: [Timeframe] { recorder.timeframes }

    /// Imports one dump file.
    ///
    /// - Parameters:
    ///   - url: a `.csv` file, or a `.zip` holding one (the first `.csv` inside is read).
    ///   - options: symbol and kind (default: from the file name), and whether to skip bad rows.
    ///   - progress: called after each committed batch (on the caller's thread).
    /// - Returns: rows read, trades stored and skipped as duplicates, bars written, bad rows.
    /// - Throws: ``ImportError`` for unreadable files, unknown kind or symbol, and bad rows (unless
    ///   skipped); ``Storage/StoreError`` when writing fails.
    public func importFile(at url: URL, options: ImportOptions = ImportOptions(),
                           progress: ((ImportProgress) -> Void)? = nil) throws -> ImportSummary {
        let started = ContinuousClock.now
        let reader = try DumpReader(url: url)
        let file = reader.displayName
        let name = DumpFileName(url.lastPathComponent)
        guard let symbol = options.symbol ?? name.symbol else { throw ImportError.unknownSymbol(file: url.lastPathComponent) }
        let requestedKind = options.kind ?? name.kind

        var state = FileState(file: file, symbol: symbol, kind: requestedKind, skipBadRows: options.skipBadRows)
        var ticks: [Tick] = []
        ticks.reserveCapacity(batchSize)
        var bars: [Bar] = []
        var klineWriter: KlineWriter?
        var bytesRead: Int64 = 0
        var recorded = RecordResult()

        func elapsed() -> Double {
            let d = ContinuousClock.now - started
            return Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
        }
        func report() {
            progress?(ImportProgress(file: file, rows: state.rows, bytesRead: bytesRead, totalBytes: reader.totalBytes,
                                     elapsed: elapsed()))
        }
        func flush() throws {
            if !ticks.isEmpty {
                recorded += try recorder.record(ticks)
                ticks.removeAll(keepingCapacity: true)
                report()
            }
            if !bars.isEmpty, let writer = klineWriter {
                recorded.barsWritten += try writer.write(bars, of: symbol)
                recorded.inserted += bars.count
                bars.removeAll(keepingCapacity: true)
                report()
            }
        }
        func handle(_ line: UnsafeBufferPointer<UInt8>, _ number: Int) throws {
            switch try state.row(line, number) {
            case .tick(let tick):
                ticks.append(tick)
                if ticks.count >= batchSize { try flush() }
            case .bar(let bar, let interval):
                if klineWriter == nil {
                    klineWriter = KlineWriter(store: store, interval: interval, timeframes: recorder.timeframes)
                }
                bars.append(bar)
                if bars.count >= batchSize { try flush() }
            case .none:
                break
            }
        }

        var splitter = LineSplitter()
        do {
            try reader.forEachChunk { chunk in
                bytesRead += Int64(chunk.count)
                try splitter.feed(chunk, handle)
            }
            try splitter.finish(handle)
            try flush()
        } catch let error as ImportError {
            logger.notice("Import stopped", metadata: ["import.file": "\(file)", "error": "\(error)"])
            throw error
        } catch let error as LineSplitter.LineTooLong {
            throw ImportError.badRow(SourceLocation(file: file, line: error.lineNumber),
                                     reason: "line longer than \(LineSplitter.maximumLineLength) bytes; not a CSV dump?")
        }
        guard let layout = state.layout else {
            // Nothing but a header (or nothing at all): nothing to do, but the kind must be known.
            guard let kind = requestedKind else { throw ImportError.unknownKind(file: file) }
            return ImportSummary(file: file, symbol: symbol, kind: kind, rows: 0, recorded: recorded,
                                 badRows: state.badRows, firstBadRow: state.firstBadRow, elapsed: elapsed())
        }
        let summary = ImportSummary(file: file, symbol: symbol, kind: layout.kind, rows: state.rows, recorded: recorded,
                                    badRows: state.badRows, firstBadRow: state.firstBadRow, elapsed: elapsed())
        logger.info("Imported", metadata: ["import.file": "\(file)", "import.summary": "\(summary)"])
        return summary
    }
}

/// Per-file parsing state: header, layout, counts of rows and bad rows.
private struct FileState {
    let file: String
    let symbol: Symbol
    let kind: ImportKind?
    let skipBadRows: Bool
    var layout: RowLayout?
    var rows = 0
    var badRows = 0
    var firstBadRow: ImportError?
    var sawFirstLine = false

    init(file: String, symbol: Symbol, kind: ImportKind?, skipBadRows: Bool) {
        self.file = file
        self.symbol = symbol
        self.kind = kind
        self.skipBadRows = skipBadRows
    }

    enum Row {
        case tick(Tick)
        case bar(Bar, Timeframe)
    }

    /// Parses one non-empty line: `nil` for the header, otherwise a tick or a bar.
    mutating func row(_ line: UnsafeBufferPointer<UInt8>, _ number: Int) throws -> Row? {
        if !sawFirstLine {
            sawFirstLine = true
            // A header starts with a letter (`id`, `agg_trade_id`, `open_time`); data with a digit.
            if let first = line.first, !(first >= 0x30 && first <= 0x39), first != 0x2D { return nil }
        }
        rows += 1
        do throws(RowProblem) {
            let layout: RowLayout
            if let known = self.layout {
                layout = known
            } else {
                layout = try RowLayout.resolve(kind: kind, firstRow: line)
                self.layout = layout
            }
            switch layout {
            case .trades(let columns, let aggregate):
                return .tick(try RowLayout.tick(line, columns: columns, aggregate: aggregate, symbol: symbol))
            case .klines(let columns, let interval):
                return .bar(try RowLayout.bar(line, columns: columns, interval: interval), interval)
            }
        } catch {
            if case .unknownKind = error { throw ImportError.unknownKind(file: file) }
            let problem = ImportError.badRow(SourceLocation(file: file, line: number), reason: error.message)
            guard skipBadRows else { throw problem }
            badRows += 1
            if firstBadRow == nil { firstBadRow = problem }
            return nil
        }
    }
}
