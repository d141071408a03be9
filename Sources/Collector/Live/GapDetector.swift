import Market
import Storage

/// Trade-id continuity per symbol: drops trades already seen and reports holes as ``StreamGap``s.
///
/// Binance trade ids (and aggregate ids) increase by exactly one per trade and symbol, so a jump
/// means trades were missed (a reconnect, a dropped frame). A trade whose id is not above the last
/// one seen, and whose time is not after it, is a duplicate (e.g. while two connections overlap during
/// rotation) and is dropped. Ids and times rise together, so a lower id with a later time is new: the
/// sequence restarts there (another id sequence, or an absurd id before), and one bad id cannot make
/// every later trade of the symbol look like a duplicate. No arithmetic can overflow, whatever the ids.
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
        /// A lower id but a later time than the last trade (or the ``seed(_:lastTradeID:at:)``): the stored trades
        /// come from another id sequence (aggregate ids vs trade ids), or the last id was absurd. New; the sequence
        /// restarts here, with no gap (none can be measured across two sequences).
        case sequenceRestarted
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
        guard tradeID > previous.id else {
            // Within one sequence ids and times rise together, so a lower id with a later time cannot be a repeat.
            if time > previous.time {
                last[symbol] = Last(id: tradeID, time: time)
                return .sequenceRestarted
            }
            return .duplicate
        }
        last[symbol] = Last(id: tradeID, time: time)
        // `tradeID > previous.id`, so `previous.id + 1` cannot overflow.
        if tradeID == previous.id + 1 { return .inSequence }
        return .afterGap(StreamGap(symbol: symbol, fromTradeID: previous.id, toTradeID: tradeID,
                                   fromTime: previous.time, toTime: time, detectedAt: detectedAt))
    }
}
