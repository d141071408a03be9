import Analytics
import Foundation
import Market
import PairbookTestSupport
import Testing

@testable import Dashboard

struct SeriesJSONTests {
    /// Series with every kind of value a column holds: prices, tiny and huge magnitudes, integral values, nil, NaN.
    static func series(rows: Int, seed: UInt64) -> PairAnalysis.Series {
        var generator = SplitMix64(seed: seed)
        func value(_ i: Int) -> Double {
            switch i % 9 {
            case 0: return Double(i) // integral
            case 1: return Double.random(in: -1e-9...1e-9, using: &generator)
            case 2: return Double.random(in: 1e15...1e17, using: &generator)
            case 3: return -Double.random(in: 0...5, using: &generator)
            default: return 60_000 + Double.random(in: -500...500, using: &generator)
            }
        }
        func optional(_ i: Int) -> Double? { i % 11 == 4 ? nil : i % 13 == 6 ? .nan : value(i) }
        let n = 0..<rows
        return PairAnalysis.Series(
            timestamps: n.map { Timestamp(milliseconds: 1_721_260_800_000 + Int64($0) * 1000) },
            base: n.map(value), quote: n.map { value($0 + 3) }, spread: n.map { value($0 + 5) },
            spreadMean: n.map(optional), spreadStandardDeviation: n.map { optional($0 + 1) }, zScore: n.map { optional($0 + 2) },
            hedgeRatio: n.map { optional($0 + 3) }, intercept: n.map { optional($0 + 4) },
            priceCorrelation: n.map { optional($0 + 5) }, returnCorrelation: n.map { optional($0 + 6) })
    }

    @Test("the series text is JSONEncoder's text of the same series, byte for byte", arguments: [0, 1, 7, 500])
    func sameBytesAsJSONEncoder(rows: Int) throws {
        let series = Self.series(rows: rows, seed: UInt64(rows) + 1)
        #expect(SeriesJSON.text(series) == JSONText.encode(series))
    }

    @Test("an answer with its series written directly is the answer JSONEncoder writes")
    func answerSpliced() throws {
        struct Body: Encodable {
            var bucket = 3
            var series: PairAnalysis.Series
            var to: Int64 = 42
        }
        let series = Self.series(rows: 200, seed: 9)
        let body = Body(series: series)
        #expect(SeriesJSON.encode(body, series: series, at: \.series) == JSONText.encode(body))
    }
}
