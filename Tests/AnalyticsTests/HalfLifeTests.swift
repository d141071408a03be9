import Analytics
import Foundation
import Testing

@Suite("Half-life of mean reversion")
struct HalfLifeTests {
    @Test("an AR(1) with φ = 0.5 reverts with λ = −0.5, half-life ln2/0.5")
    func exactAR() throws {
        // s_t = 0.5·s_{t−1} exactly (no noise) → Δs = −0.5·s_{t−1}
        var s = [1000.0]
        for _ in 1..<30 { s.append(s[s.count - 1] * 0.5 + 1) }
        let fit = try HalfLife.fit(s)
        expectClose(fit.lambda, -0.5, "λ", relative: 1e-9)
        expectClose(fit.halfLife, log(2) / 0.5, "half-life", relative: 1e-9)
    }

    @Test("no mean reversion (λ ≥ 0) and constant spreads are undefined, not NaN or infinite")
    func undefined() throws {
        let explosive = (0..<20).map { pow(1.1, Double($0)) }
        #expect(try HalfLife.bars(explosive) == nil)
        #expect(try HalfLife.bars([Double](repeating: 4, count: 10)) == nil)
        #expect(throws: AnalyticsError.tooFewObservations(what: "half-life", needed: 3, got: 2)) { try HalfLife.bars([1, 2]) }
    }
}
