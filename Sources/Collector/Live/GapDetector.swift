import Market
import Storage

/// Trade-id continuity per symbol: drops trades already seen and reports holes as ``StreamGap``s.
///
/// Binance trade ids (and aggregate ids) increase by exactly one per trade and symbol, so a jump
/// means trades were missed (a reconnect, a dropped frame). A trade whose id is not above the last
/// one seen is a duplicate (e.g. while two connections overlap during rotation) and is dropped.
/// O(1) per trade; memory O(symbols).
public struct GapDetector: Sendable {
    /// The verdict for one trade.
    public enum Observation: Sendable, Equatable {
        /// The next id, or the first id seen for the symbol.
        case inSequence
        /// New, but after a hole.
        case afterGap(StreamGap)
        /// Already seen (id not above the last one): drop it.
        case duplicate
    }

    private struct Last: Sendable {
        var id: Int64
        var time: Timestamp
    }

    private var last: [Symbol: Last] = [:]

    public init() {}

    /// Starts `symbol` at an id already stored (so that a restart detects the hole since then).
    public mutating func seed(_ symbol: Symbol, lastTradeID: Int64, at time: Timestamp) {
        last[symbol] = Last(id: lastTradeID, time: time)
    }

    /// The last id seen for `symbol`.
    public func lastTradeID(of symbol: Symbol) -> Int64? { last[symbol]?.id }

    /// Classifies one trade and advances the symbol's sequence.
    ///
    /// - Parameter detectedAt: wall-clock time to stamp on a gap, UTC.
    public mutating func observe(_ symbol: Symbol, tradeID: Int64, time: Timestamp, detectedAt: Timestamp) -> Observation {
        guard let previous = last[symbol] else {
            last[symbol] = Last(id: tradeID, time: time)
            return .inSequence
        }
        guard tradeID > previous.id else { return .duplicate }
        last[symbol] = Last(id: tradeID, time: time)
        if tradeID == previous.id + 1 { return .inSequence }
        return .afterGap(StreamGap(symbol: symbol, fromTradeID: previous.id, toTradeID: tradeID,
                                   fromTime: previous.time, toTime: time, detectedAt: detectedAt))
    }
}
