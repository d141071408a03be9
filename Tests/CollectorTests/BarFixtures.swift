import Foundation
import Market
import PairbookTestSupport
import Storage
import Testing

/// Reads the oracle bars written by scripts/fixtures/resample.py.
enum BarFixtures {
    static func bars(_ name: String) throws -> [Bar] {
        let text = try Fixtures.text(name)
        return try text.split(separator: "\n").dropFirst().map { line in
            let f = line.split(separator: ",").map(String.init)
            guard f.count == 9, let t = Int64(f[0]), let o = Double(f[1]), let h = Double(f[2]), let l = Double(f[3]),
                  let c = Double(f[4]), let v = Double(f[5]), let q = Double(f[6]), let n = Int64(f[7]), let tb = Double(f[8])
            else { throw FixtureError.badLine(name, String(line)) }
            return Bar(openTime: Timestamp(milliseconds: t), open: o, high: h, low: l, close: c, volume: v,
                       quoteVolume: q, trades: n, takerBuyVolume: tb)
        }
    }

    enum FixtureError: Error { case badLine(String, String) }
}

/// Relative closeness for sums, whose rounding depends on summation order (pandas uses Kahan).
func isClose(_ a: Double, _ b: Double, relativeTolerance: Double = 1e-9) -> Bool {
    a == b || abs(a - b) <= relativeTolerance * max(abs(a), abs(b))
}

/// Expects `actual` to equal the oracle: open times, OHLC and counts exactly, sums within 1e-9.
func expectBars(_ actual: [Bar], equal expected: [Bar], _ label: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) {
    #expect(actual.count == expected.count, "\(label): bar count", sourceLocation: sourceLocation)
    var mismatches = 0
    for (a, e) in zip(actual, expected) {
        let same = a.openTime == e.openTime && a.open == e.open && a.high == e.high && a.low == e.low && a.close == e.close
            && a.trades == e.trades && isClose(a.volume, e.volume) && isClose(a.quoteVolume, e.quoteVolume)
            && isClose(a.takerBuyVolume, e.takerBuyVolume)
        if !same {
            mismatches += 1
            if mismatches <= 3 { Issue.record("\(label): \(a) != \(e)", sourceLocation: sourceLocation) }
        }
    }
    #expect(mismatches == 0, "\(label): \(mismatches) bars differ", sourceLocation: sourceLocation)
}

/// Everything stored, for "nothing changed" comparisons.
struct StoreSnapshot: Equatable {
    var ticks: [Tick] = []
    var bars: [String: [Bar]] = [:]

    init(_ store: Store) throws {
        for symbol in try store.symbols() {
            try store.forEachTick(of: symbol, in: .all) { ticks.append($0) }
            for timeframe in try store.timeframes(for: symbol) {
                bars["\(symbol) \(timeframe)"] = try store.bars(for: symbol, timeframe: timeframe, in: .all).bars
            }
        }
    }
}

/// A fresh temporary directory for one test.
func temporaryDirectory() throws -> URL { try Fixtures.temporaryDirectory(prefix: "pairbook-collector") }

/// Writes `text` to `name` inside `directory`.
@discardableResult
func writeFile(_ text: String, named name: String, in directory: URL) throws -> URL {
    let url = directory.appendingPathComponent(name)
    try Data(text.utf8).write(to: url)
    return url
}
