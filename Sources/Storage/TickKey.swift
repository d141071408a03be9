import Market

/// The identity and time order of a stored trade within its symbol: the `(ts, trade_id)` part of the `tick_rows`
/// primary key, on SQLite and on PostgreSQL. Trades are read in this order (and `pairbook migrate` resumes after one).
public struct TickKey: Comparable, Hashable, Sendable, CustomStringConvertible {
    public var milliseconds: Int64
    public var tradeID: Int64

    /// Below every trade: the newest key of a symbol with nothing stored.
    static let none = TickKey(milliseconds: .min, tradeID: .min)

    public init(milliseconds: Int64, tradeID: Int64) {
        self.milliseconds = milliseconds
        self.tradeID = tradeID
    }

    public init(_ tick: Tick) {
        self.init(milliseconds: tick.timestamp.milliseconds, tradeID: tick.tradeID)
    }

    public static func < (a: TickKey, b: TickKey) -> Bool {
        (a.milliseconds, a.tradeID) < (b.milliseconds, b.tradeID)
    }

    /// `2024-07-18T00:00:01.234Z #4821`.
    public var description: String { "\(Timestamp(milliseconds: milliseconds).iso8601()) #\(tradeID)" }
}
