import Foundation

/// What one ``StoreMigration`` run did: every part it dealt with, and whether it got to the end.
public struct MigrationSummary: Sendable, Hashable, CustomStringConvertible {
    /// The source, as named in messages.
    public var source: String
    /// The destination, as named in messages.
    public var destination: String
    /// The parts, in the order they were copied (the last one unfinished when the run stopped early).
    public var parts: [MigrationProgress]
    /// Whether every part was copied to the end (`false` when ``StoreMigration/batchLimit`` stopped the run).
    public var isComplete: Bool
    /// Seconds the whole run took.
    public var elapsed: Double

    public init(source: String, destination: String, parts: [MigrationProgress], isComplete: Bool, elapsed: Double) {
        self.source = source
        self.destination = destination
        self.parts = parts
        self.isComplete = isComplete
        self.elapsed = elapsed
    }

    /// Rows of the source dealt with and rows written, over the parts matching `kind`.
    private func totals(_ kind: (MigrationProgress.Part) -> Bool) -> (rows: Int, copied: Int) {
        parts.filter { kind($0.part) }.reduce((0, 0)) { ($0.0 + $1.done, $0.1 + $1.copied) }
    }

    /// Trades of the source dealt with, and how many were written.
    public var trades: (rows: Int, copied: Int) { totals { if case .trades = $0 { true } else { false } } }
    /// Bars of the source dealt with, and how many were written.
    public var bars: (rows: Int, copied: Int) { totals { if case .bars = $0 { true } else { false } } }
    /// Rows of the tables with row ids dealt with, and how many were written.
    public var tableRows: (rows: Int, copied: Int) { totals { if case .table = $0 { true } else { false } } }

    /// `migrated sqlite:a.sqlite → postgres://…: 24356 trades (24356 copied), 17004 bars (17004 copied), 57 other rows (57 copied) in 1.42 s`,
    /// or `stopped …; run it again to continue` for an unfinished run.
    public var description: String {
        let counts = "\(trades.rows) trades (\(trades.copied) copied), \(bars.rows) bars (\(bars.copied) copied), "
            + "\(tableRows.rows) other rows (\(tableRows.copied) copied)"
        let time = String(format: "%.2f s", elapsed)
        if isComplete { return "migrated \(source) → \(destination): \(counts) in \(time)" }
        return "stopped copying \(source) → \(destination) at \(parts.last.map { "\($0.part)" } ?? "the start") after \(counts) "
            + "in \(time); run it again to continue"
    }
}
