import Analytics
import Foundation
import Testing

@Suite("Hurst exponent")
struct HurstTests {
    @Test("a random walk has H near 0.5, an alternating series H near 0")
    func regimes() throws {
        var state: UInt64 = 7
        func next() -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Double(state >> 11) / Double(1 << 53) - 0.5
        }
        var walk = [0.0]
        for _ in 1..<20_000 { walk.append(walk[walk.count - 1] + next()) }
        let h = try #require(try Hurst.exponent(walk))
        #expect(abs(h - 0.5) < 0.05)
        let noise = (0..<20_000).map { _ in next() }
        let hn = try #require(try Hurst.exponent(noise))
        #expect(hn < 0.1)
    }

    @Test("constant series is undefined; short series throw")
    func degenerate() throws {
        #expect(try Hurst.exponent([Double](repeating: 60000, count: 200)) == nil)
        #expect(throws: AnalyticsError.tooFewObservations(what: "Hurst exponent", needed: 101, got: 50)) {
            try Hurst.exponent((0..<50).map(Double.init))
        }
    }
}
