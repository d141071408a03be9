/// What one ``Recorder/record(_:)`` call (or a whole import) wrote.
public struct RecordResult: Sendable, Hashable, CustomStringConvertible {
    /// Trades stored for the first time.
    public var inserted: Int
    /// Trades that were already stored (same symbol and trade id) and were skipped.
    public var duplicates: Int
    /// Bar rows inserted or updated (each touched bar once per batch).
    public var barsWritten: Int
    /// The bars of one ``Recorder/record(_:with:)`` call as written (grouped by timeframe, then symbol), for consumers
    /// of live updates; left out of `+` (totals of many batches keep none) and of the description.
    public var touched: [ResampledBar] = []

    public init(inserted: Int = 0, duplicates: Int = 0, barsWritten: Int = 0) {
        self.inserted = inserted
        self.duplicates = duplicates
        self.barsWritten = barsWritten
    }

    /// Field-wise sum, to total several batches.
    public static func + (lhs: RecordResult, rhs: RecordResult) -> RecordResult {
        RecordResult(inserted: lhs.inserted + rhs.inserted, duplicates: lhs.duplicates + rhs.duplicates,
                     barsWritten: lhs.barsWritten + rhs.barsWritten)
    }

    public static func += (lhs: inout RecordResult, rhs: RecordResult) { lhs = lhs + rhs }

    /// `1000 new, 0 duplicate trades, 120 bars written`
    public var description: String {
        "\(inserted) new, \(duplicates) duplicate trades, \(barsWritten) bars written"
    }
}
