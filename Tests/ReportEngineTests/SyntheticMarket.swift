import Market
import Storage

/// A deterministic day of one-minute bars for a few symbols: ETH a random walk, BTC cointegrated with it
/// (an Ornstein–Uhlenbeck spread with a stretch near the end of the day, so that z-score alerts fire),
/// and three independent symbols for heatmaps and liquidity tables.
enum SyntheticMarket {
    static let day = Timestamp(CivilTime(year: 2024, month: 1, day: 1))
    static let symbols: [Symbol] = ["BTCUSDT", "ETHUSDT", "SOLUSDT", "BNBUSDT", "XRPUSDT"]

    /// xorshift64*, so every platform generates the same bars.
    struct Random {
        var state: UInt64
        mutating func next() -> Double {
            state ^= state >> 12
            state ^= state << 25
            state ^= state >> 27
            return Double((state &* 2_685_821_657_736_338_717) >> 11) / Double(1 << 53)
        }
        /// Approximately standard normal (sum of 12 uniforms − 6).
        mutating func normal() -> Double { (0..<12).reduce(0) { s, _ in s + next() } - 6 }
    }

    /// Close prices per symbol for `count` minutes.
    static func closes(count: Int = 1440) -> [Symbol: [Double]] {
        var rng = Random(state: 0x9E37_79B9_7F4A_7C15)
        var eth = [Double](), btc = [Double](), others: [[Double]] = [[], [], []]
        var e = 2300.0, spread = 0.0
        var o = [100.0, 310.0, 0.62]
        for i in 0..<count {
            e *= 1 + 0.0008 * rng.normal()
            let push = i >= count - 90 && i < count - 30 ? 9.0 : 0
            spread = spread * 0.93 + 6 * rng.normal() + push
            eth.append(e)
            btc.append(19.0 * e + 1500 + spread)
            for k in 0..<3 {
                o[k] *= 1 + 0.0012 * rng.normal() + (k == 0 ? 0.0004 * (eth.count > 1 ? (eth[i] / eth[i - 1] - 1) * 1000 : 0) : 0)
                others[k].append(o[k])
            }
        }
        return ["BTCUSDT": btc, "ETHUSDT": eth, "SOLUSDT": others[0], "BNBUSDT": others[1], "XRPUSDT": others[2]]
    }

    /// A fresh in-memory store holding the day of 1m bars (or `count` bars of `timeframe` with ``fill(_:count:timeframe:)``).
    static func store(count: Int = 1440) throws -> Store {
        let store = try Store.inMemory()
        try fill(store, count: count)
        return store
    }

    static func fill(_ store: Store, count: Int = 1440, timeframe: Timeframe = .oneMinute) throws {
        let all = closes(count: count)
        var rng = Random(state: 42)
        try store.write { tx in
            for symbol in symbols {
                let closes = all[symbol] ?? []
                for (i, close) in closes.enumerated() {
                    let open = i == 0 ? close : closes[i - 1]
                    let wiggle = abs(close - open) * 0.3 + close * 0.0002 * rng.next()
                    let volume = 5 + 20 * rng.next()
                    let bar = Bar(openTime: day + TimeSpan(milliseconds: timeframe.milliseconds * Int64(i)), open: open, high: max(open, close) + wiggle,
                                  low: min(open, close) - wiggle, close: close, volume: volume, quoteVolume: volume * close,
                                  trades: Int64(50 + 200 * rng.next()), takerBuyVolume: volume * rng.next())
                    try tx.upsert(bar, of: symbol, timeframe: timeframe)
                }
            }
        }
    }
}
