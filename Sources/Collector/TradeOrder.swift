import Market

/// The position of a trade in a symbol's tape: time first, then trade id (UTC ms, exchange id).
///
/// A bar's open is the trade with the smallest order and its close the one with the largest, so
/// late or replayed trades land in the right place whatever order they arrive in.
struct TradeOrder: Comparable, Hashable, Sendable {
    var time: Int64
    var tradeID: Int64

    init(_ tick: Tick) {
        time = tick.timestamp.milliseconds
        tradeID = tick.tradeID
    }

    static func < (lhs: TradeOrder, rhs: TradeOrder) -> Bool {
        lhs.time != rhs.time ? lhs.time < rhs.time : lhs.tradeID < rhs.tradeID
    }
}
