import Analytics
import Foundation
import Market
import Storage

/// Stored data as RFC 4180 CSV: the bytes of `pairbook export bars|ticks` and `pairbook analyze --format csv`, which
/// the dashboard's downloads serve too.
///
/// Lines end in CRLF, times are ISO-8601 UTC with milliseconds, numbers are plain decimals. Output goes to `sink` in
/// chunks of about 64 KiB, so memory stays constant whatever the number of rows.
///
/// ```swift
/// var out = CSVExport { chunk in try handle.write(contentsOf: Data(chunk.utf8)) }
/// try out.bars(of: "BTCUSDT", timeframe: .oneMinute, in: range, store: store)
/// try out.finish()
/// ```
public struct CSVExport {
    private var buffer = ""
    private let sink: (String) throws -> Void
    /// Records written so far, the header included.
    public private(set) var rows = 0

    /// - Parameter sink: receives the text in chunks, in order.
    public init(sink: @escaping (String) throws -> Void) {
        self.sink = sink
        buffer.reserveCapacity(1 << 16)
    }

    /// The bars of `symbol` at `timeframe` in `range`, with a header row.
    public mutating func bars(of symbol: Symbol, timeframe: Timeframe, in range: TimeRange, store: any ExportSource) throws {
        row(["open_time", "symbol", "timeframe", "open", "high", "low", "close", "volume", "quote_volume",
             "trades", "taker_buy_volume"])
        let name = symbol.name
        let tf = timeframe.description
        try store.forEachBar(of: symbol, timeframe: timeframe, in: range) { bar in
            row([bar.openTime.iso8601(), name, tf, Self.number(bar.open), Self.number(bar.high), Self.number(bar.low),
                 Self.number(bar.close), Self.number(bar.volume), Self.number(bar.quoteVolume), String(bar.trades),
                 Self.number(bar.takerBuyVolume)])
            try flushIfFull()
        }
    }

    /// The trades of `symbol` in `range`, with a header row.
    public mutating func ticks(of symbol: Symbol, in range: TimeRange, store: any ExportSource) throws {
        row(["time", "symbol", "trade_id", "price", "quantity", "is_buyer_maker"])
        let name = symbol.name
        try store.forEachTick(of: symbol, in: range) { tick in
            row([tick.timestamp.iso8601(), name, String(tick.tradeID), Self.number(tick.price),
                 Self.number(tick.quantity), tick.isBuyerMaker ? "true" : "false"])
            try flushIfFull()
        }
    }

    /// Appends one record; fields with a comma, quote or line break are quoted, quotes doubled.
    public mutating func row(_ fields: [String]) {
        for (i, field) in fields.enumerated() {
            if i > 0 { buffer.append(",") }
            if field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\r" || $0 == "\n" }) {
                buffer.append("\"")
                buffer.append(field.replacingOccurrences(of: "\"", with: "\"\""))
                buffer.append("\"")
            } else {
                buffer.append(field)
            }
        }
        buffer.append("\r\n")
        rows += 1
    }

    /// Hands the buffer to the sink once it holds 64 KiB.
    public mutating func flushIfFull() throws {
        if buffer.utf8.count >= 1 << 16 { try flush() }
    }

    /// Hands what is left to the sink.
    public mutating func finish() throws { try flush() }

    private mutating func flush() throws {
        guard !buffer.isEmpty else { return }
        try sink(buffer)
        buffer.removeAll(keepingCapacity: true)
    }

    /// A number as every pairbook CSV prints it (``CSVRenderer/plainDecimal(_:)``): the shortest round-trip form, plain
    /// where Swift would use an exponent.
    static func number(_ value: Double) -> String { CSVRenderer.plainDecimal(value) }
}

// MARK: - Pair analytics

extension CSVExport {
    /// Every aligned bar of a pair analysis, as `pairbook analyze --format csv` prints it (LF line ends).
    public static func analytics(_ a: PairAnalysis) -> String {
        func cell(_ v: Double?) -> String { v.map { "\($0)" } ?? "" }
        let s = a.series
        var out = "time,ts,base,quote,spread,spread_mean,spread_std,z_score,hedge_ratio,intercept,correlation,return_correlation\n"
        out.reserveCapacity(s.timestamps.count * 160)
        for i in s.timestamps.indices {
            let fields = [s.timestamps[i].iso8601(.seconds), "\(s.timestamps[i].milliseconds)", cell(s.base[i]), cell(s.quote[i]),
                          cell(s.spread[i]), cell(s.spreadMean[i]), cell(s.spreadStandardDeviation[i]), cell(s.zScore[i]),
                          cell(s.hedgeRatio[i]), cell(s.intercept[i]), cell(s.priceCorrelation[i]), cell(s.returnCorrelation[i])]
            out += fields.joined(separator: ",") + "\n"
        }
        return out
    }
}
