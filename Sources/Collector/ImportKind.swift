import Market

/// The layout of a Binance public-data dump (data.binance.vision).
public enum ImportKind: Sendable, Hashable, CustomStringConvertible {
    /// `trades`: `id,price,qty,quote_qty,time,is_buyer_maker` (USD-M futures; spot adds `is_best_match`,
    /// and newer spot dumps give `time` in microseconds).
    case trades
    /// `aggTrades`: `agg_trade_id,price,quantity,first_trade_id,last_trade_id,transact_time,is_buyer_maker`
    /// (spot adds `is_best_match`). Stored as ticks whose trade id is the aggregate id.
    case aggTrades
    /// Klines of one interval: `open_time,open,high,low,close,volume,close_time,quote_volume,count,
    /// taker_buy_volume,taker_buy_quote_volume,ignore`. `nil` interval: taken from the rows.
    case klines(Timeframe?)

    public var description: String {
        switch self {
        case .trades: return "trades"
        case .aggTrades: return "aggTrades"
        case .klines(let interval?): return "klines \(interval)"
        case .klines(nil): return "klines"
        }
    }

    /// Whether rows are trades (as opposed to bars).
    public var isTrades: Bool {
        switch self {
        case .trades, .aggTrades: return true
        case .klines: return false
        }
    }
}

/// What the file name of a Binance dump tells: `BTCUSDT-trades-2024-01-01.csv`,
/// `BTCUSDT-aggTrades-2024-01.zip`, `BTCUSDT-1m-2023-01-01.csv`, `BTCUSDT-um-trades-20240718-19.derived.csv`.
public struct DumpFileName: Sendable, Hashable {
    /// The symbol (first dash-separated part, upper case), if it is a valid symbol.
    public var symbol: Symbol?
    /// The kind, if a part names it (`trades`, `aggTrades`, or a kline interval such as `1m`).
    public var kind: ImportKind?

    /// Reads the parts of a file name (directories and extensions are ignored).
    public init(_ fileName: String) {
        let base = fileName.split(separator: "/").last.map(String.init) ?? fileName
        let stem = base.split(separator: ".").first.map(String.init) ?? base
        let parts = stem.split(separator: "-").map(String.init)
        // Binance names start with the upper-case symbol and a dash: `BTCUSDT-…`.
        symbol = parts.count >= 2 && parts[0] == parts[0].uppercased() ? try? Symbol(parsing: parts[0]) : nil
        kind = nil
        for part in parts.dropFirst() {
            if part == "trades" {
                kind = .trades
                break
            }
            if part == "aggTrades" {
                kind = .aggTrades
                break
            }
            if let interval = Self.klineInterval(part) {
                kind = .klines(interval)
                break
            }
        }
    }

    /// A Binance kline interval (`1s`, `1m`, `3m`, …, `12h`, `1d`, `3d`) as a timeframe.
    static func klineInterval(_ text: String) -> Timeframe? {
        let intervals = ["1s", "1m", "3m", "5m", "15m", "30m", "1h", "2h", "4h", "6h", "8h", "12h", "1d", "3d"]
        guard intervals.contains(text) else { return nil }
        return try? Timeframe(parsing: text)
    }
}
