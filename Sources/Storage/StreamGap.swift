import Market

/// A hole in a symbol's trade-id sequence seen by the live collector.
///
/// Trade ids `fromTradeID + 1 … toTradeID - 1` are missing: `fromTradeID` is the last id received
/// before the hole, `toTradeID` the first after it.
public struct StreamGap: Sendable, Hashable {
    public var symbol: Symbol
    public var fromTradeID: Int64
    public var toTradeID: Int64
    /// Trade time of `fromTradeID`, UTC.
    public var fromTime: Timestamp
    /// Trade time of `toTradeID`, UTC.
    public var toTime: Timestamp
    /// When the collector noticed the hole.
    public var detectedAt: Timestamp
    /// When a backfill completed the hole, if it has.
    public var filledAt: Timestamp?

    public init(symbol: Symbol, fromTradeID: Int64, toTradeID: Int64, fromTime: Timestamp, toTime: Timestamp,
                detectedAt: Timestamp, filledAt: Timestamp? = nil) {
        self.symbol = symbol
        self.fromTradeID = fromTradeID
        self.toTradeID = toTradeID
        self.fromTime = fromTime
        self.toTime = toTime
        self.detectedAt = detectedAt
        self.filledAt = filledAt
    }

    /// How many trades are missing (saturating at `Int64.max`; never traps, whatever the ids).
    public var missingTrades: Int64 {
        guard toTradeID > fromTradeID else { return 0 }
        let (span, overflow) = toTradeID.subtractingReportingOverflow(fromTradeID)
        return overflow ? .max : span - 1
    }
}
