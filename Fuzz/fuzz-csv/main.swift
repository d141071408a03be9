// Fuzz target: the row parsing of the CSV importer (trades, aggTrades, klines), as `CSVImporter.importFile` runs it on its
// parsing thread: `LineSplitter` cuts the bytes into lines, `FileState.row` skips the header, fixes the layout from
// the first data row and reads every row. Everything but the file and the store is the importer's own code.
@testable import Collector
import FuzzDriver
import Market

/// What every input is read as.
enum Dump {
    /// The kinds tried: guessed from the first row (a file named by the user), and each kind a file name can give.
    static let kinds: [ImportKind?] = [nil, .trades, .aggTrades, .klines(nil), .klines(.oneMinute)]
    /// Accepted trade and kline times, for a clock fixed at 2024-07-20 00:00 UTC (the importer reads the wall clock).
    static let times = Timestamp.plausibleMarketTimes(now: Timestamp(milliseconds: 1_721_433_600_000))
    static let symbol: Symbol = "BTCUSDT"
}

@_cdecl("LLVMFuzzerTestOneInput")
func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = UnsafeRawBufferPointer(FuzzDriver.bytes(data, size))
    // The file in two chunks, as the dump reader hands them over: lines before the cut come straight from the first
    // chunk, the line across it is carried over, the rest come from the second.
    let chunks = [UnsafeRawBufferPointer(rebasing: input[..<(size / 2)]), UnsafeRawBufferPointer(rebasing: input[(size / 2)...])]
    for kind in Dump.kinds {
        parse(chunks, kind: kind)
    }
    return 0
}

/// Reads the chunks as one dump of `kind`, skipping bad rows (so that every row is read) but stopping where the
/// importer stops: a file of unknown kind, a line too long.
func parse(_ chunks: [UnsafeRawBufferPointer], kind: ImportKind?) {
    var state = FileState(file: "fuzz.csv", symbol: Dump.symbol, kind: kind, skipBadRows: true, times: Dump.times)
    var splitter = LineSplitter()
    func handle(_ line: UnsafeBufferPointer<UInt8>, _ number: Int) throws {
        _ = try state.row(line, number)
    }
    do {
        for chunk in chunks { try splitter.feed(chunk, handle) }
        try splitter.finish(handle)
    } catch let error as ImportError {
        _ = error.description
    } catch {
        _ = "\(error)"
    }
    _ = state.firstBadRow?.description
}

FuzzDriver.run(testOneInput)
