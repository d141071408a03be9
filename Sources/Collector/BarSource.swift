import Market
import Storage

/// Where the ``Resampler`` finds bars it does not hold in memory: the database, inside the
/// transaction that is recording the ticks.
///
/// The resampler asks only when a tick falls into a bar that it does not hold — after a restart,
/// an interrupted import, or a trade that arrives late for a bar it has already let go of — and
/// only if a stored bar can exist there (not after the newest stored bar of the series).
///
/// The resampler assumes it is the only writer of its symbols' bars while it runs.
public protocol BarSource {
    /// The stored bar of `symbol` at `timeframe` opening at `openTime` (UTC ms), or `nil`.
    func storedBar(of symbol: Symbol, timeframe: Timeframe, openTime: Timestamp) throws -> Bar?

    /// Every stored trade of `symbol` with a time in `range`, in any order.
    ///
    /// Used to rebuild a stored bar exactly (open and close need trade order, which a bar does not keep).
    func storedTicks(of symbol: Symbol, in range: TimeRange) throws -> [Tick]

    /// The open time of the newest stored bar of `symbol` at `timeframe`, or `nil` if none is stored.
    ///
    /// Asked once per series; bars opening later cannot be stored, so they are not looked up.
    func latestStoredBarOpen(of symbol: Symbol, timeframe: Timeframe) throws -> Timestamp?
}

extension StoreTransaction: BarSource {
    public func storedBar(of symbol: Symbol, timeframe: Timeframe, openTime: Timestamp) throws -> Bar? {
        try bar(of: symbol, timeframe: timeframe, openTime: openTime)
    }

    public func storedTicks(of symbol: Symbol, in range: TimeRange) throws -> [Tick] {
        try ticks(of: symbol, in: range)
    }

    public func latestStoredBarOpen(of symbol: Symbol, timeframe: Timeframe) throws -> Timestamp? {
        try latestBarOpen(of: symbol, timeframe: timeframe)
    }
}
