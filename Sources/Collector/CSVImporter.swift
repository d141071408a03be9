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

/// Imports Binance public-data dumps (data.binance.vision) into a store (an ``ImportDestination``): `trades` and `aggTrades`
/// of USD-M futures and spot, and klines of any interval; plain `.csv` or `.zip`, with or without header.
///
/// Trades go to ``ImportDestination/record(_:)`` (ticks plus bars of every configured timeframe); klines are
/// stored as bars of their interval and rolled up to the coarser configured timeframes.
///
/// **Streaming, two threads.** The file is read in 1 MiB chunks and parsed byte by byte (no `String` per
/// row) on a parsing thread, while the calling thread writes the previous batch; at most two parsed
/// batches wait between them, so memory is O(batch size) whatever the file size.
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
/// let importer = CSVImporter(store: store, logger: logger)
/// let summary = try importer.importFile(at: URL(fileURLWithPath: "BTCUSDT-trades-2024-01-01.zip"))
/// print(summary)   // BTCUSDT-trades-2024-01-01.zip/…csv: BTCUSDT trades, 1042 rows, …
/// ```
public final class CSVImporter {
    /// Rows per transaction.
    public let batchSize: Int
    private let destination: any ImportDestination
    private let logger: Logger
    private let wallClock: @Sendable () -> Timestamp

    /// Creates an importer writing to the SQLite `store`, keeping bars of `timeframes` (default 1s, 1m, 5m).
    ///
    /// - Parameter wallClock: UTC now, read once per file: trade and kline times must lie in
    ///   ``Market/Timestamp/plausibleMarketTimes(now:)`` (2017-01-01 to now + 1 day), or the row is bad.
    public convenience init(store: Store, timeframes: [Timeframe] = Timeframe.defaults, batchSize: Int = 50_000,
                            logger: Logger,
                            wallClock: @escaping @Sendable () -> Timestamp = { Timestamp.now() }) {
        self.init(destination: StoreImportDestination(store: store, timeframes: timeframes, logger: logger),
                  batchSize: batchSize, logger: logger, wallClock: wallClock)
    }

    /// Creates an importer writing to `destination` (a store of either kind), `batchSize` rows per transaction.
    public init(destination: any ImportDestination, batchSize: Int = 50_000, logger: Logger,
                wallClock: @escaping @Sendable () -> Timestamp = { Timestamp.now() }) {
        precondition(batchSize > 0, "batch size must be positive")
        self.destination = destination
        self.batchSize = batchSize
        self.logger = logger
        self.wallClock = wallClock
    }

    /// The bar timeframes kept, finest first.
    public var timeframes: [Timeframe] { destination.timeframes }

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

        func elapsed() -> Double {
            let d = ContinuousClock.now - started
            return Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
        }

        // Parsing runs on a thread of its own while this one writes: the two halves of an import each keep
        // a core busy. A plain `Thread`, not a task: `importFile` is synchronous, and both sides block (on
        // the file, on SQLite). At most two parsed batches wait, so memory stays flat.
        let channel = BatchChannel<ParsedBatch>(capacity: 2)
        let state = FileState(file: file, symbol: symbol, kind: requestedKind, skipBadRows: options.skipBadRows,
                              times: Timestamp.plausibleMarketTimes(now: wallClock()))
        let batchSize = self.batchSize
        let parsing = Thread { FileParser.run(url: url, state: state, batchSize: batchSize, into: channel) }
        parsing.name = "pairbook.import.parse"
        parsing.start()
        defer {
            channel.cancel()
            channel.waitForProducer()
        }

        var recorded = RecordResult()
        var parsed: FileState?
        do {
            while let batch = channel.receive() {
                switch batch {
                case .ticks(let ticks, let position):
                    recorded += try destination.record(ticks)
                    progress?(ImportProgress(file: file, rows: position.rows, bytesRead: position.bytesRead,
                                             totalBytes: reader.totalBytes, elapsed: elapsed()))
                case .bars(let bars, let interval, let position):
                    recorded.barsWritten += try destination.writeKlines(bars, interval: interval, of: symbol)
                    recorded.inserted += bars.count
                    progress?(ImportProgress(file: file, rows: position.rows, bytesRead: position.bytesRead,
                                             totalBytes: reader.totalBytes, elapsed: elapsed()))
                case .end(let state):
                    parsed = state
                case .failed(let error):
                    throw error
                }
            }
        } catch let error as ImportError {
            // The caller reports the error (the CLI in one `Error:` line); at the default level this would repeat it.
            logger.info("Import stopped", metadata: ["import.file": "\(file)", "error": "\(error)"])
            throw error
        }
        guard let state = parsed else {
            throw ImportError.cannotRead(file: file, reason: "parsing stopped without a result")
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

// MARK: - Parsing thread

/// Where parsing has got to when a batch is handed over (for progress).
private struct ParsePosition: Sendable {
    var rows: Int
    var bytesRead: Int64
}

/// What the parsing thread hands to the writer: a batch of rows, then how the file ended.
private enum ParsedBatch: Sendable {
    case ticks([Tick], ParsePosition)
    case bars([Bar], Timeframe, ParsePosition)
    /// Parsing reached the end of the file; the final state (layout, row and bad-row counts).
    case end(FileState)
    /// Parsing stopped on an error (a bad row, an unreadable file); batches sent before it are valid.
    case failed(any Error)
}

/// Reads and parses one dump on the parsing thread, sending batches of `batchSize` rows into a channel.
private enum FileParser {
    /// The consumer cancelled: stop quietly.
    struct Cancelled: Error {}

    static func run(url: URL, state initial: FileState, batchSize: Int, into channel: BatchChannel<ParsedBatch>) {
        defer { channel.finish() }
        var state = initial
        var ticks: [Tick] = []
        ticks.reserveCapacity(batchSize)
        var bars: [Bar] = []
        var interval: Timeframe?
        var bytesRead: Int64 = 0

        func send(_ batch: ParsedBatch) throws {
            guard channel.send(batch) else { throw Cancelled() }
        }
        func flush() throws {
            let position = ParsePosition(rows: state.rows, bytesRead: bytesRead)
            if !ticks.isEmpty {
                try send(.ticks(ticks, position))
                ticks = []
                ticks.reserveCapacity(batchSize)
            }
            if !bars.isEmpty, let interval {
                try send(.bars(bars, interval, position))
                bars = []
            }
        }
        func handle(_ line: UnsafeBufferPointer<UInt8>, _ number: Int) throws {
            switch try state.row(line, number) {
            case .tick(let tick):
                ticks.append(tick)
                if ticks.count >= batchSize { try flush() }
            case .bar(let bar, let barInterval):
                interval = interval ?? barInterval
                bars.append(bar)
                if bars.count >= batchSize { try flush() }
            case .none:
                break
            }
        }

        do {
            let reader = try DumpReader(url: url)
            var splitter = LineSplitter()
            do {
                try reader.forEachChunk { chunk in
                    bytesRead += Int64(chunk.count)
                    try splitter.feed(chunk, handle)
                }
                try splitter.finish(handle)
            } catch let error as LineSplitter.LineTooLong {
                throw ImportError.badRow(SourceLocation(file: state.file, line: error.lineNumber),
                                         reason: "line longer than \(LineSplitter.maximumLineLength) bytes; not a CSV dump?")
            }
            try flush()
            try send(.end(state))
        } catch is Cancelled {
            return
        } catch {
            _ = channel.send(.failed(error))
        }
    }
}

/// Per-file parsing state: header, layout, counts of rows and bad rows.
///
/// Internal rather than private so that the CSV fuzz target (`Fuzz/fuzz-csv`) drives the same row parsing.
struct FileState {
    let file: String
    let symbol: Symbol
    let kind: ImportKind?
    let skipBadRows: Bool
    /// The accepted trade and kline times.
    let times: ClosedRange<Timestamp>
    var layout: RowLayout?
    var rows = 0
    var badRows = 0
    var firstBadRow: ImportError?
    var sawFirstLine = false

    init(file: String, symbol: Symbol, kind: ImportKind?, skipBadRows: Bool, times: ClosedRange<Timestamp>) {
        self.file = file
        self.symbol = symbol
        self.kind = kind
        self.skipBadRows = skipBadRows
        self.times = times
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
                return .tick(try RowLayout.tick(line, columns: columns, aggregate: aggregate, symbol: symbol, times: times))
            case .klines(let columns, let interval):
                return .bar(try RowLayout.bar(line, columns: columns, interval: interval, times: times), interval)
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
