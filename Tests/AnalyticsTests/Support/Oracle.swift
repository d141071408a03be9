import Foundation
import Market
import Numerics
import PairbookTestSupport
import Testing

/// Reads the oracle fixtures written by scripts/fixtures/analytics.py and compares values with them.
enum Oracle {
    /// The relative tolerance of every comparison with statsmodels/pandas.
    static let relative = 1e-9

    /// A parsed JSON fixture.
    static func json(_ name: String) throws -> [String: Any] {
        let data = try Fixtures.data(name, testFile: fixtureAnchor)
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    /// A CSV fixture as named columns; empty cells are `nil`.
    static func csv(_ name: String) throws -> [String: [Double?]] {
        let text = try Fixtures.text(name, testFile: fixtureAnchor)
        var lines = text.split(separator: "\n", omittingEmptySubsequences: true)
        let header = lines.removeFirst().split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        var columns = [String: [Double?]]()
        for h in header { columns[h] = [] }
        for line in lines {
            let cells = line.split(separator: ",", omittingEmptySubsequences: false)
            for (i, h) in header.enumerated() { columns[h]?.append(cells[i].isEmpty ? nil : Double(cells[i])) }
        }
        return columns
    }

    /// The fixtures live beside the test files, one level above this support folder.
    static let fixtureAnchor: String = {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Oracle.swift").path
    }()

    /// A JSON number (or "inf"/"-inf"), `nil` for null/absent.
    static func number(_ any: Any?) -> Double? {
        if let d = any as? Double { return d }
        if let i = any as? Int { return Double(i) }
        if let n = any as? NSNumber { return n.doubleValue }
        if let s = any as? String { return s == "-inf" ? -.infinity : s == "inf" ? .infinity : nil }
        return nil
    }

    static func doubles(_ any: Any?) -> [Double] {
        (any as? [Any] ?? []).compactMap { number($0) }
    }
}

/// Expects `actual` ≈ `expected` with relative tolerance 1e-9 (and an optional absolute floor for values
/// that cross zero). Both `nil` is a match.
func expectClose(_ actual: Double?, _ expected: Double?, _ what: @autoclosure () -> String,
                 absolute: Double = 0, relative: Double = Oracle.relative,
                 sourceLocation: Testing.SourceLocation = #_sourceLocation) {
    switch (actual, expected) {
    case (nil, nil):
        return
    case let (a?, e?):
        let ok = a.isApproximatelyEqual(to: e, absoluteTolerance: absolute, relativeTolerance: relative)
            || a.isApproximatelyEqual(to: e, relativeTolerance: relative)
            || a == e
        #expect(ok, "\(what()): \(a) vs oracle \(e) (rel \(abs(a - e) / max(abs(e), .leastNormalMagnitude)))",
                sourceLocation: sourceLocation)
    default:
        Issue.record("\(what()): \(String(describing: actual)) vs oracle \(String(describing: expected))",
                     sourceLocation: sourceLocation)
    }
}

/// Compares whole series; reports at most a few mismatches.
func expectSeriesClose(_ actual: [Double?], _ expected: [Double?], _ what: String, absolute: Double = 0,
                       sourceLocation: Testing.SourceLocation = #_sourceLocation) {
    #expect(actual.count == expected.count, "\(what): length \(actual.count) vs \(expected.count)",
            sourceLocation: sourceLocation)
    var failures = 0
    for i in 0..<min(actual.count, expected.count) {
        let a = actual[i]
        let e = expected[i]
        let ok: Bool
        switch (a, e) {
        case (nil, nil): ok = true
        case let (a?, e?):
            ok = a == e || a.isApproximatelyEqual(to: e, relativeTolerance: Oracle.relative)
                || (absolute > 0 && a.isApproximatelyEqual(to: e, absoluteTolerance: absolute))
        default: ok = false
        }
        if !ok {
            failures += 1
            if failures <= 5 {
                Issue.record("\(what)[\(i)]: \(String(describing: a)) vs oracle \(String(describing: e))",
                             sourceLocation: sourceLocation)
            }
        }
    }
    if failures > 5 { Issue.record("\(what): \(failures) mismatches in all", sourceLocation: sourceLocation) }
}

/// Real Binance data from ../shared/data, rebuilt exactly as the fixture script does.
enum RealData {
    /// The 1m klines of 2023-01-01…03 for a symbol.
    static func klines(_ symbol: Symbol) throws -> BarSeries {
        var bars: [Bar] = []
        for day in ["01", "02", "03"] {
            let url = SharedData.url("binance-usdm-klines-1m-2023-01-01_03/\(symbol.name)-1m-2023-01-\(day).csv")
            let text = try String(contentsOf: url, encoding: .utf8)
            for line in text.split(separator: "\n").dropFirst() {
                let c = line.split(separator: ",", omittingEmptySubsequences: false)
                guard c.count >= 9, let t = Int64(c[0]), let o = Double(c[1]), let h = Double(c[2]), let l = Double(c[3]),
                      let cl = Double(c[4]), let v = Double(c[5]), let q = Double(c[7]), let n = Int64(c[8])
                else { continue }
                bars.append(Bar(openTime: Timestamp(milliseconds: t), open: o, high: h, low: l, close: cl, volume: v,
                                quoteVolume: q, trades: n, takerBuyVolume: 0))
            }
        }
        return BarSeries(symbol: symbol, timeframe: .oneMinute, bars: bars)
    }

    /// 1 s bars from the derived trades CSV (close = last trade by id, quote volume = Σ price·qty).
    static func tradeBars(_ symbol: Symbol) throws -> BarSeries {
        let url = SharedData.url("binance-usdm-trades-2024-07-18/derived/\(symbol.name)-um-trades-20240718-19.derived.csv")
        let text = try String(contentsOf: url, encoding: .utf8)
        var bars: [Bar] = []
        for line in text.split(separator: "\n").dropFirst() {
            let c = line.split(separator: ",", omittingEmptySubsequences: false)
            guard c.count >= 6, let p = Double(c[1]), let q = Double(c[2]), let t = Int64(c[4]) else { continue }
            let tick = Tick(symbol: symbol, tradeID: Int64(c[0]) ?? 0, timestamp: Timestamp(milliseconds: t), price: p,
                            quantity: q, isBuyerMaker: c[5] == "true")
            let open = Timeframe.oneSecond.barOpen(containing: tick.timestamp)
            if let last = bars.last, last.openTime == open {
                bars[bars.count - 1].add(tick)
            } else {
                bars.append(Bar(openTime: open, firstTrade: tick))
            }
        }
        return BarSeries(symbol: symbol, timeframe: .oneSecond, bars: bars)
    }
}
