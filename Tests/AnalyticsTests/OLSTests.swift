import Analytics
import Foundation
import Testing

@Suite("OLS and TLS straight-line fits")
struct OLSTests {
    @Test("exact line on BTC-sized values")
    func exactLine() throws {
        let x = (0..<50).map { 3000 + Double($0) * 0.25 }
        let y = x.map { 250 + 19.5 * $0 }
        let fit = try OLS.fit(y: y, x: x)
        expectClose(fit.slope, 19.5, "β", relative: 1e-12)
        expectClose(fit.intercept, 250, "α", relative: 1e-9)
        let tls = try OLS.totalLeastSquares(y: y, x: x)
        expectClose(tls.slope, 19.5, "TLS β", relative: 1e-12)
    }

    @Test("TLS is symmetric: β(y on x) = 1 / β(x on y)")
    func tlsSymmetry() throws {
        let x = (0..<200).map { Double($0) + 3 * sin(Double($0)) }
        let y = x.enumerated().map { 2 * $1 + 5 * cos(Double($0) * 1.3) }
        let a = try OLS.totalLeastSquares(y: y, x: x)
        let b = try OLS.totalLeastSquares(y: x, x: y)
        expectClose(a.slope * b.slope, 1, "β·β'", relative: 1e-12)
    }

    @Test("degenerate inputs throw typed errors")
    func degenerate() {
        #expect(throws: AnalyticsError.constantSeries(what: "OLS regressor")) { try OLS.fit(y: [1, 2, 3], x: [60000.1, 60000.1, 60000.1]) }
        #expect(throws: AnalyticsError.tooFewObservations(what: "OLS", needed: 2, got: 1)) { try OLS.fit(y: [1], x: [2]) }
        #expect(throws: AnalyticsError.lengthMismatch(2, 3)) { try OLS.fit(y: [1, 2], x: [1, 2, 3]) }
        #expect(throws: AnalyticsError.nonFiniteValue(what: "OLS y", index: 1)) { try OLS.fit(y: [1, .nan], x: [1, 2]) }
    }

    @Test("constant y: R² undefined, slope 0")
    func constantY() throws {
        let fit = try OLS.fit(y: [5, 5, 5, 5], x: [1, 2, 3, 4])
        #expect(fit.slope == 0)
        #expect(fit.rSquared == nil)
    }
}
