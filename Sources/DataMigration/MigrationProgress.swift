import Foundation
import Market

/// How far the copy of one part (a symbol's trades, a bar series, a table) has got; reported after every batch and
/// once more when the part is finished.
public struct MigrationProgress: Sendable, Hashable, CustomStringConvertible {
    /// What is being copied.
    public enum Part: Sendable, Hashable, CustomStringConvertible {
        case trades(Symbol)
        case bars(Symbol, Timeframe)
        case table(String)

        /// `trades BTCUSDT`, `bars BTCUSDT 1m`, `alert_events`.
        public var description: String {
            switch self {
            case .trades(let symbol): return "trades \(symbol)"
            case .bars(let symbol, let timeframe): return "bars \(symbol) \(timeframe)"
            case .table(let name): return name
            }
        }
    }

    public var part: Part
    /// Rows of the part in the source.
    public var total: Int
    /// Source rows dealt with so far, including those the destination already held.
    public var done: Int
    /// Rows found already in the destination when the part started (an earlier, interrupted run copied them).
    public var resumed: Int
    /// Rows written to the destination.
    public var copied: Int
    /// Seconds since the part started.
    public var elapsed: Double
    /// Whether every source row of the part has been dealt with.
    public var isFinished: Bool

    public init(part: Part, total: Int, done: Int = 0, resumed: Int = 0, copied: Int = 0, elapsed: Double = 0, isFinished: Bool = false) {
        self.part = part
        self.total = total
        self.done = done
        self.resumed = resumed
        self.copied = copied
        self.elapsed = elapsed
        self.isFinished = isFinished
    }

    /// Counts a batch: `rows` source rows dealt with, `copied` of them written; `elapsed` seconds since the part started.
    mutating func add(rows: Int, copied: Int, elapsed: Double) {
        done += rows
        self.copied += copied
        self.elapsed = elapsed
    }

    /// The part, finished after `elapsed` seconds.
    func finished(elapsed: Double) -> MigrationProgress {
        var finished = self
        finished.elapsed = elapsed
        finished.isFinished = true
        return finished
    }

    /// Source rows dealt with per second in this run (rows found already copied at the start not counted).
    public var rowsPerSecond: Double { elapsed > 0 ? Double(done - resumed) / elapsed : 0 }

    /// Fraction done in [0, 1] (1 for an empty part).
    public var fraction: Double { total > 0 ? min(1, Double(done) / Double(total)) : 1 }

    /// `trades BTCUSDT  42%  512000 of 1210000 rows  431220 rows/s` while copying;
    /// `trades BTCUSDT  10701 rows, 10701 copied, 0 already there  0.21 s  50957 rows/s` when finished.
    public var description: String {
        let rate = "\(Int(rowsPerSecond.rounded())) rows/s"
        if isFinished {
            return "\(part)  \(total) rows, \(copied) copied, \(done - copied) already there  "
                + String(format: "%.2f s", elapsed) + "  \(rate)"
        }
        return "\(part)  \(Int(fraction * 100))%  \(done) of \(total) rows  \(rate)"
    }
}
