import Market

/// What importing one file did.
public struct ImportSummary: Sendable, Equatable, CustomStringConvertible {
    /// The file (as named in messages).
    public var file: String
    public var symbol: Symbol
    /// The layout the rows were read as.
    public var kind: ImportKind
    /// Data rows read (good and bad).
    public var rows: Int
    /// Trades stored, duplicates skipped, bar rows written. For klines, `inserted` counts klines
    /// (stored as bars) and `barsWritten` the bar rows written including roll-ups.
    public var recorded: RecordResult
    /// Rows skipped as bad (only with `skipBadRows`).
    public var badRows: Int
    /// The first bad row skipped, for the report.
    public var firstBadRow: ImportError?
    /// Wall-clock seconds.
    public var elapsed: Double

    public init(file: String, symbol: Symbol, kind: ImportKind, rows: Int, recorded: RecordResult, badRows: Int,
                firstBadRow: ImportError?, elapsed: Double) {
        self.file = file
        self.symbol = symbol
        self.kind = kind
        self.rows = rows
        self.recorded = recorded
        self.badRows = badRows
        self.firstBadRow = firstBadRow
        self.elapsed = elapsed
    }

    /// `BTCUSDT-trades-2024-01-01.csv: BTCUSDT trades, 10701 rows, 10701 new, 0 duplicate trades, 1213 bars written, 0 bad rows, 0.05 s`
    public var description: String {
        let what = kind.isTrades ? recorded.description
            : "\(recorded.inserted) klines, \(recorded.barsWritten) bars written"
        let seconds = (elapsed * 100).rounded() / 100
        return "\(file): \(symbol) \(kind), \(rows) rows, \(what), \(badRows) bad rows, \(seconds) s"
    }
}
