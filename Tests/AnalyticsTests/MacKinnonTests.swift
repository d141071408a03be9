import Analytics
import Testing

@Suite("MacKinnon p-values and critical values match statsmodels adfvalues")
struct MacKinnonTests {
    static func regression(_ code: String) -> ADFRegression {
        ADFRegression(rawValue: code) ?? .constant
    }

    @Test("mackinnonp on a grid of statistics, regressions and N")
    func pValues() throws {
        let fixture = try Oracle.json("mackinnon.json")
        let rows = try #require(fixture["pvalues"] as? [[String: Any]])
        #expect(rows.count == 270)
        for row in rows {
            let reg = Self.regression(row["regression"] as? String ?? "")
            let n = row["N"] as? Int ?? 1
            let stat = try #require(Oracle.number(row["statistic"]))
            let p = MacKinnon.pValue(statistic: stat, regression: reg, n: n)
            expectClose(p, Oracle.number(row["pvalue"]), "p(\(stat), \(reg), N=\(n))", absolute: 1e-300)
        }
    }

    @Test("mackinnoncrit for N = 1…12, finite and asymptotic nobs")
    func criticalValues() throws {
        let fixture = try Oracle.json("mackinnon.json")
        let rows = try #require(fixture["crit"] as? [[String: Any]])
        for row in rows {
            let reg = Self.regression(row["regression"] as? String ?? "")
            let n = row["N"] as? Int ?? 1
            let nobs = row["nobs"] as? Int
            let expected = Oracle.doubles(row["crit"])
            let crit = try #require(MacKinnon.criticalValues(regression: reg, n: n, nobs: nobs))
            expectClose(crit.onePercent, expected[0], "1% \(reg) N=\(n) nobs=\(String(describing: nobs))")
            expectClose(crit.fivePercent, expected[1], "5% \(reg) N=\(n)")
            expectClose(crit.tenPercent, expected[2], "10% \(reg) N=\(n)")
        }
    }

    @Test("p-value is 0 below the table and 1 above it")
    func bounds() {
        #expect(MacKinnon.pValue(statistic: -.infinity, regression: .constant, n: 2) == 0)
        #expect(MacKinnon.pValue(statistic: 10, regression: .constant) == 1)
        #expect(MacKinnon.criticalValues(regression: .none, n: 2, nobs: 100) == nil)
    }
}
