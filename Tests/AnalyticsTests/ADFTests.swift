import Analytics
import Foundation
import Market
import PairbookTestSupport
import Testing

@Suite("ADF matches statsmodels adfuller")
struct ADFTests {
    /// adf-cases.json, decoded once.
    struct Fixture: Decodable, Sendable {
        struct Expected: Decodable, Sendable {
            var error: String?
            var statistic: Double?
            var pvalue: Double?
            var usedlag: Int?
            var nobs: Int?
            var crit: [Double]?
            var icbest: Double?
        }
        struct Case: Decodable, Sendable, CustomTestStringConvertible {
            var series: String
            var regression: String
            var autolag: String?
            var maxlag: Int?
            var expected: Expected
            var testDescription: String {
                "\(series) \(regression) \(autolag ?? "none") maxlag=\(maxlag.map(String.init) ?? "default")"
            }
        }
        var series: [String: [Double]]
        var cases: [Case]
    }

    static let fixture: Fixture? = try? JSONDecoder().decode(Fixture.self, from: Fixtures.data("adf-cases.json", testFile: Oracle.fixtureAnchor))

    static func series(_ name: String) throws -> [Double]? {
        if name == "klines:BTCUSDT" {
            guard SharedData.isAvailable else { return nil }
            return try RealData.klines("BTCUSDT").closes
        }
        return fixture?.series[name]
    }

    @Test("adfuller case", arguments: fixture?.cases ?? [])
    func adfCase(_ c: Fixture.Case) throws {
        guard let x = try Self.series(c.series) else { return }  // real data absent: skip
        let regression = try #require(ADFRegression(rawValue: c.regression))
        let autolag = c.autolag.flatMap { ADFAutolag(rawValue: $0) }
        let maxLag = c.maxlag
        let expected = c.expected

        if let message = expected.error {
            // statsmodels raises ValueError: we throw a typed error, never crash.
            #expect(throws: AnalyticsError.self, "statsmodels: \(message)") {
                try ADF.test(x, maxLag: maxLag, regression: regression, autolag: autolag)
            }
            return
        }
        let usedLag = try #require(expected.usedlag)
        let nobs = try #require(expected.nobs)
        if nobs - regression.rawValue.filter({ $0 != "n" }).count - 1 - usedLag <= 0 {
            // statsmodels fits a regression with zero residual degrees of freedom (a perfect fit) and reports a
            // meaningless statistic (0.0); we refuse with a typed error instead of a silent NaN/0.
            #expect(throws: AnalyticsError.self) {
                try ADF.test(x, maxLag: maxLag, regression: regression, autolag: autolag)
            }
            return
        }
        let r = try ADF.test(x, maxLag: maxLag, regression: regression, autolag: autolag)
        #expect(r.usedLag == usedLag)
        #expect(r.nobs == nobs)
        expectClose(r.statistic, expected.statistic, "statistic")
        expectClose(r.pValue, expected.pvalue, "p-value", absolute: 1e-300)
        let crit = try #require(expected.crit)
        expectClose(r.criticalValues.onePercent, crit[0], "crit 1%")
        expectClose(r.criticalValues.fivePercent, crit[1], "crit 5%")
        expectClose(r.criticalValues.tenPercent, crit[2], "crit 10%")
        expectClose(r.icBest, expected.icbest, "icbest")
    }

    @Test("the fixture holds every kind of case")
    func coverage() {
        #expect((Self.fixture?.cases.count ?? 0) >= 70)
    }

    @Test("constant, too-short and non-finite input throw typed errors")
    func degenerate() {
        #expect(throws: AnalyticsError.constantSeries(what: "ADF")) { try ADF.test([Double](repeating: 60000, count: 100)) }
        #expect(throws: AnalyticsError.self) { try ADF.test([1, 2, 1.5]) }
        #expect(throws: AnalyticsError.self) { try ADF.test([]) }
        #expect(throws: AnalyticsError.self) { try ADF.test([1]) }
        #expect(throws: AnalyticsError.nonFiniteValue(what: "ADF", index: 2)) { try ADF.test([1, 2, .nan, 3, 4, 5]) }
        #expect(throws: AnalyticsError.maxLagTooLarge(maxLag: 60, limit: 48)) {
            try ADF.test((0..<100).map { sin(Double($0)) }, maxLag: 60)
        }
        // A straight line: the differences are constant, collinear with the intercept.
        #expect(throws: AnalyticsError.self) { try ADF.test((0..<100).map { 3 + 0.5 * Double($0) }) }
    }
}
