import Analytics
import Foundation
import Testing

@Suite("Rolling statistics: O(n), exact on BTC-sized prices with tiny variance")
struct RollingWindowTests {
    @Test("mean, std, z, OLS and correlation of a near-constant 60,000 series match an extended-precision oracle")
    func nearConstant() throws {
        // Given: 60000 ± 1e-4 with an exactly constant stretch (fixture rolling-near-constant.csv), window 20
        let f = try Oracle.csv("rolling-near-constant.csv")
        let x = try #require(f["x"]).map { $0 ?? .nan }
        let y = try #require(f["y"]).map { $0 ?? .nan }
        // When
        let (mean, std, z) = try Rolling.meanStdZ(x, window: 20)
        let (beta, alpha) = try Rolling.regression(y: x, x: y, window: 20)
        let corr = try Rolling.correlation(x, y, window: 20)
        // Then (pandas' own rolling std is off by up to 380 % here; we agree with the exact values to 1e-9)
        expectSeriesClose(mean, try #require(f["mean"]), "mean")
        expectSeriesClose(std, try #require(f["std"]), "std")
        expectSeriesClose(z, try #require(f["z"]), "z", absolute: 1e-9)
        expectSeriesClose(beta, try #require(f["beta"]), "beta", absolute: 1e-9)
        expectSeriesClose(alpha, try #require(f["alpha"]), "alpha")
        expectSeriesClose(corr, try #require(f["corr"]), "corr", absolute: 1e-9)
        // the constant stretch [200, 260) has windows with exactly zero variance → std 0, z undefined
        #expect(std[259] == 0)
        #expect(z[259] == nil)
        #expect(corr[259] == nil)
    }

    @Test("undefined (nil) until the window is full")
    func warmUp() throws {
        let x = (0..<10).map { 60000 + Double($0 * $0 % 7) }
        let std = try Rolling.standardDeviation(x, window: 4)
        #expect(std[0..<3].allSatisfy { $0 == nil })
        #expect(std[3...].allSatisfy { $0 != nil })
        let rc = try Rolling.returnCorrelation(x, x.reversed(), window: 4)
        #expect(rc[0..<4].allSatisfy { $0 == nil })
        #expect(rc[4] != nil)
    }

    @Test("fewer values than the window: everything undefined, nothing thrown")
    func shorterThanWindow() throws {
        let x: [Double] = [1, 2, 3]
        #expect(try Rolling.zScore(x, window: 5) == [nil, nil, nil])
        #expect(try Rolling.correlation(x, x, window: 5) == [nil, nil, nil])
        #expect(try Rolling.mean([], window: 5) == [])
    }

    @Test("constant series: std exactly 0, z and correlation undefined, never NaN")
    func constant() throws {
        let x = [Double](repeating: 60000.1, count: 50)
        let (mean, std, z) = try Rolling.meanStdZ(x, window: 10)
        #expect(mean[9...].allSatisfy { $0 == 60000.1 })
        #expect(std[9...].allSatisfy { $0 == 0 })
        #expect(z.allSatisfy { $0 == nil })
        let y = (0..<50).map { Double($0) }
        #expect(try Rolling.correlation(x, y, window: 10).allSatisfy { $0 == nil })
        #expect(try Rolling.regression(y: y, x: x, window: 10).slope.allSatisfy { $0 == nil })
    }

    @Test("invalid windows and mismatched lengths throw")
    func invalid() {
        #expect(throws: AnalyticsError.invalidWindow(1)) { try Rolling.standardDeviation([1, 2, 3], window: 1) }
        #expect(throws: AnalyticsError.invalidWindow(0)) { try Rolling.mean([1, 2, 3], window: 0) }
        #expect(throws: AnalyticsError.lengthMismatch(2, 3)) { try Rolling.correlation([1, 2], [1, 2, 3], window: 2) }
        #expect(throws: AnalyticsError.self) { try Rolling.mean([1, .infinity], window: 1) }
    }

    @Test("matches a naive two-pass computation on a long BTC-like walk with drift (re-anchoring)")
    func longWalk() throws {
        var state: UInt64 = 42
        func next() -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Double(state >> 11) / Double(1 << 53) - 0.5
        }
        var x = [60000.0]
        for _ in 1..<5000 { x.append(x[x.count - 1] + 20 * next() + 0.5) }
        let w = 300
        let std = try Rolling.standardDeviation(x, window: w)
        for e in stride(from: w - 1, to: x.count, by: 97) {
            let window = Array(x[(e - w + 1)...e])
            let m = window.reduce(0, +) / Double(w)
            let v = window.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(w - 1)
            expectClose(std[e], v.squareRoot(), "std[\(e)]", relative: 1e-11)
        }
    }
}
