import Collector
import Market
import RedisClient

extension RedisLiveBuffer {
    /// `XADD pairbook:trades:<SYMBOL> MAXLEN ~ <cap> * price P quantity Q time T id I side S`: time in milliseconds since
    /// the Unix epoch (UTC), `id` Binance's trade id, `side` the taker's side (`sell` when the buyer was the maker).
    /// Numbers are written in Swift's shortest round-trip form (`64000.1`, `0.002`, `1e-05`).
    public static func tradeCommand(_ tick: Tick, cap: Int) -> RedisCommand {
        RedisCommand(["XADD", tradesKey(tick.symbol), "MAXLEN", "~", String(cap), "*",
                      "price", "\(tick.price)", "quantity", "\(tick.quantity)", "time", String(tick.timestamp.milliseconds),
                      "id", String(tick.tradeID), "side", tick.isBuyerMaker ? "sell" : "buy"])
    }

    /// `XADD pairbook:bars MAXLEN ~ <cap> * symbol S timeframe TF open_time T open O high H low L close C volume V
    /// quote_volume QV trades N`: the bar's state after the commit (an open bar is written again as it changes).
    public static func barCommand(_ bar: ResampledBar, cap: Int) -> RedisCommand {
        let b = bar.bar
        return RedisCommand(["XADD", barsKey, "MAXLEN", "~", String(cap), "*",
                             "symbol", bar.symbol.name, "timeframe", bar.timeframe.description,
                             "open_time", String(b.openTime.milliseconds), "open", "\(b.open)", "high", "\(b.high)",
                             "low", "\(b.low)", "close", "\(b.close)", "volume", "\(b.volume)",
                             "quote_volume", "\(b.quoteVolume)", "trades", String(b.trades)])
    }

    /// The `id` field of the entry in an `XREVRANGE … COUNT 1` reply; nil for an empty or missing stream.
    static func newestTradeID(in reply: RESPValue) -> Int64? {
        guard let entry = reply.array?.first?.array, entry.count == 2, let fields = entry[1].array else { return nil }
        for index in stride(from: 0, to: fields.count - 1, by: 2) where fields[index].string == "id" {
            return fields[index + 1].string.flatMap { Int64($0) }
        }
        return nil
    }
}
