import PairbookTestSupport
import Testing

@testable import ReportEngine

/// The CSV writer's byte-level decimal path must print exactly what `CSVRenderer.plainDecimal` (Swift's shortest
/// round-trip `description`, made positional) prints, for every kind of number a report writes.
@Suite struct CSVNumberTests {
    private func written(_ x: Double) -> String {
        var buffer = CSVBuffer()
        buffer.number(x)
        return String(decoding: buffer.bytes, as: UTF8.self)
    }

    @Test func pricesQuantitiesAndVolumesMatchTheShortestRoundTripText() {
        var rng = SplitMix64(seed: 7)
        for _ in 0..<300_000 {
            // m · 10^-k for tick sizes and lot sizes of Binance instruments, both signs.
            let places = Int(rng.next() % 9)
            let m = Double(rng.next() % 2_000_000_000_000)
            var x = m
            for _ in 0..<places { x /= 10 }
            if rng.next() % 4 == 0 { x = -x }
            #expect(written(x) == CSVRenderer.plainDecimal(x), "x = \(x)")
        }
    }

    @Test func fullPrecisionAndEdgeValuesMatchTheShortestRoundTripText() {
        var rng = SplitMix64(seed: 11)
        var values: [Double] = [0, -0.0, 1, -1, 0.1, 0.2, 0.3, 1e-4, 9.99e-5, 1e-5, 123.456, 1e14, 9.99e14, 1e15, 1e16,
                                4_503_599_627_370_495, 0.000123456789, 67_234.5, 1_843.27, 2.5e-3, 1.0 / 3, 2.0 / 3,
                                Double.ulpOfOne, 0.1 + 0.2, 100.0 - 1e-12, 45_035_995.999_999_99, 45_035_996.5, 99_999.999_999_999_99,
                                9_007_199_254_740_992, 9_007_199_254_740_994, 123_456_789.123_4]
        for _ in 0..<200_000 {
            let bits = rng.next()
            let unit = Double(bits >> 11) / Double(1 << 53)
            let exponent = Int(rng.next() % 40) - 20
            values.append((unit - 0.5) * pow10(exponent))
        }
        for x in values {
            #expect(written(x) == CSVRenderer.plainDecimal(x), "x = \(x)")
        }
    }

    private func pow10(_ n: Int) -> Double {
        var x = 1.0
        for _ in 0..<abs(n) { x *= 10 }
        return n < 0 ? 1 / x : x
    }
}
