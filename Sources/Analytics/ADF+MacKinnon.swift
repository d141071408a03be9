import Foundation

/// MacKinnon's response-surface approximations used by statsmodels for unit-root and cointegration tests.
///
/// p-values: MacKinnon (1994) (`statsmodels.tsa.adfvalues.mackinnonp`); critical values: MacKinnon (2010)
/// (`mackinnoncrit`). Tables are statsmodels' own, after its scaling, written with shortest round-trip
/// digits so that every coefficient is the identical double.
public enum MacKinnon {
    /// Approximate asymptotic p-value of a (augmented) Dickey–Fuller τ statistic.
    ///
    /// Oracle: `statsmodels.tsa.adfvalues.mackinnonp(teststat, regression, N)`.
    /// - Parameters:
    ///   - statistic: the τ statistic (may be `-.infinity`, giving 0).
    ///   - regression: deterministic terms of the test regression.
    ///   - n: number of series (1 for ADF, 2 for an Engle–Granger test of a pair); 1…6.
    /// - Returns: a probability in [0, 1].
    public static func pValue(statistic: Double, regression: ADFRegression, n: Int = 1) -> Double {
        precondition((1...6).contains(n), "MacKinnon p-values exist for 1...6 series")
        let t = Tables.of(regression)
        if statistic > t.maxStat[n - 1] { return 1.0 }
        if statistic < t.minStat[n - 1] { return 0.0 }
        let coefficients = statistic <= t.starStat[n - 1] ? t.smallP[n - 1] : t.largeP[n - 1]
        // numpy.polyval on the reversed coefficients: Horner from the highest degree.
        var y = 0.0
        for c in coefficients.reversed() { y = y * statistic + c }
        return normalCDF(y)
    }

    /// Critical values (1 %, 5 %, 10 %) for a sample of `nobs` observations (`nil` = asymptotic).
    ///
    /// Oracle: `statsmodels.tsa.adfvalues.mackinnoncrit(N, regression, nobs)`.
    /// - Returns: `nil` when MacKinnon (2010) has no table (regression `n` with more than one series).
    public static func criticalValues(regression: ADFRegression, n: Int = 1, nobs: Int?) -> CriticalValues? {
        let table = Tables.of(regression).crit2010
        guard n >= 1, n <= table.count else { return nil }
        let rows = table[n - 1]
        func value(_ row: [Double]) -> Double {
            guard let nobs else { return row[0] }
            let u = 1.0 / Double(nobs)
            var y = 0.0
            for c in row.reversed() { y = y * u + c }
            return y
        }
        return CriticalValues(onePercent: value(rows[0]), fivePercent: value(rows[1]), tenPercent: value(rows[2]))
    }

    /// Φ(x) computed as scipy's `ndtr` does (erf near 0, erfc in the tails).
    static func normalCDF(_ a: Double) -> Double {
        let x = a * 0.7071067811865476
        let z = abs(x)
        if z < 0.7071067811865476 { return 0.5 + 0.5 * erf(x) }
        let y = 0.5 * erfc(z)
        return x > 0 ? 1 - y : y
    }
}

/// Critical values of a unit-root or cointegration test at the 1 %, 5 % and 10 % levels.
public struct CriticalValues: Sendable, Hashable, Codable {
    public var onePercent: Double
    public var fivePercent: Double
    public var tenPercent: Double

    public init(onePercent: Double, fivePercent: Double, tenPercent: Double) {
        self.onePercent = onePercent
        self.fivePercent = fivePercent
        self.tenPercent = tenPercent
    }
}

/// statsmodels' `adfvalues` tables for one regression.
private struct Tables {
    var starStat: [Double]
    var minStat: [Double]
    var maxStat: [Double]
    var smallP: [[Double]]
    var largeP: [[Double]]
    /// [N − 1][1 %, 5 %, 10 %][coefficients of 1/nobs, ascending]
    var crit2010: [[[Double]]]

    static func of(_ regression: ADFRegression) -> Tables {
        switch regression {
        case .none: return none
        case .constant: return constant
        case .constantTrend: return constantTrend
        }
    }

    static let none = Tables(
        starStat: [-1.04, -1.53, -2.68, -3.09, -3.07, -3.77],
        minStat: [-19.04, -19.62, -21.21, -23.25, -21.63, -25.74],
        maxStat: [.infinity, 1.51, 0.86, 0.88, 1.05, 1.24],
        smallP: [
            [0.6344, 1.2378, 0.032496000000000004],
            [1.9129, 1.3857, 0.035322],
            [2.7648, 1.4502, 0.034186],
            [3.4336, 1.4835, 0.0319],
            [4.0999, 1.5533, 0.0359],
            [4.5388, 1.5344, 0.029807],
        ],
        largeP: [
            [0.4797, 0.9355700000000001, -0.06999, 0.033066],
            [1.5578, 0.8558, -0.20830000000000004, -0.033549],
            [2.2268, 0.68093, -0.32362, -0.054447999999999996],
            [2.7654, 0.64502, -0.30811000000000005, -0.044946],
            [3.2684, 0.6805100000000001, -0.26778, -0.034971999999999996],
            [3.7268, 0.7167, -0.23648, -0.028288000000000004],
        ],
        crit2010: [
            [[-2.56574, -2.2358, -3.627, 0.0], [-1.941, -0.2686, -3.365, 31.223], [-1.61682, 0.2656, -2.714, 25.364]],
        ])

    static let constant = Tables(
        starStat: [-1.61, -2.62, -3.13, -3.47, -3.78, -3.93],
        minStat: [-18.83, -18.86, -23.48, -28.07, -25.96, -23.27],
        maxStat: [2.74, 0.92, 0.55, 0.61, 0.79, 1.0],
        smallP: [
            [2.1659, 1.4412, 0.038269000000000004],
            [2.92, 1.5012, 0.039796],
            [3.4699, 1.4856, 0.03164],
            [3.9673, 1.4777, 0.026315],
            [4.5509, 1.5338, 0.029545],
            [5.1399, 1.6036, 0.034445],
        ],
        largeP: [
            [1.7339, 0.9320200000000001, -0.12745, -0.010368],
            [2.1945, 0.64695, -0.29198, -0.042377000000000005],
            [2.5893, 0.45168, -0.36529, -0.050074],
            [3.0387, 0.45452000000000004, -0.33666, -0.041921],
            [3.5049, 0.5209800000000001, -0.29158, -0.033468],
            [3.9489, 0.58933, -0.25359, -0.02721],
        ],
        crit2010: [
            [[-3.43035, -6.5393, -16.786, -79.433], [-2.86154, -2.8903, -4.234, -40.04], [-2.56677, -1.5384, -2.809, 0.0]],
            [[-3.89644, -10.9519, -33.527, 0.0], [-3.33613, -6.1101, -6.823, 0.0], [-3.04445, -4.2412, -2.72, 0.0]],
            [[-4.29374, -14.4354, -33.195, 47.433], [-3.74066, -8.5632, -10.852, 27.982], [-3.45218, -6.2143, -3.718, 0.0]],
            [[-4.64332, -18.1031, -37.972, 0.0], [-4.096, -11.2349, -11.175, 0.0], [-3.8102, -8.3931, -4.137, 0.0]],
            [[-4.95756, -21.8883, -45.142, 0.0], [-4.41519, -14.0405, -12.575, 0.0], [-4.13157, -10.7417, -3.784, 0.0]],
            [[-5.24568, -25.6688, -57.737, 88.639], [-4.70693, -16.9178, -17.492, 60.007], [-4.42501, -13.1875, -5.104, 27.877]],
            [[-5.51233, -29.576, -69.398, 164.295], [-4.97684, -19.9021, -22.045, 110.761], [-4.69648, -15.7315, -5.104, 27.877]],
            [[-5.76202, -33.5258, -82.189, 256.289], [-5.22924, -23.0023, -24.646, 144.479], [-4.95007, -18.3959, -7.344, 94.872]],
            [[-5.99742, -37.6572, -87.365, 248.316], [-5.46697, -26.2057, -26.627, 176.382], [-5.18897, -21.1377, -9.484, 172.704]],
            [[-6.22103, -41.7154, -102.68, 389.33], [-5.69244, -29.4521, -30.994, 251.016], [-5.41533, -24.0006, -7.514, 163.049]],
            [[-6.43377, -46.0084, -106.809, 352.752], [-5.90714, -32.8336, -30.275, 249.994], [-5.63086, -26.9693, -4.083, 151.427]],
            [[-6.6379, -50.2095, -124.156, 579.622], [-6.11279, -36.2681, -32.505, 314.802], [-5.83724, -29.9864, -2.686, 184.116]],
        ])

    static let constantTrend = Tables(
        starStat: [-2.89, -3.19, -3.5, -3.65, -3.8, -4.36],
        minStat: [-16.18, -21.15, -25.37, -26.63, -26.53, -26.18],
        maxStat: [0.7, 0.63, 0.71, 0.93, 1.19, 1.42],
        smallP: [
            [3.2512, 1.6047, 0.049588],
            [3.6646, 1.5419, 0.036448],
            [4.0983, 1.5173, 0.029897999999999997],
            [4.5844, 1.5338, 0.028796],
            [5.0722, 1.5634, 0.029472],
            [5.53, 1.5914, 0.030392000000000002],
        ],
        largeP: [
            [2.5261, 0.6165400000000001, -0.37956, -0.060285000000000005],
            [2.85, 0.5272, -0.36622, -0.051695000000000005],
            [3.221, 0.5255, -0.32685000000000003, -0.041501],
            [3.652, 0.59758, -0.27483, -0.032081],
            [4.0712, 0.6642800000000001, -0.23464000000000002, -0.02546],
            [4.4735, 0.71757, -0.20681, -0.021196000000000003],
        ],
        crit2010: [
            [[-3.95877, -9.0531, -28.428, -134.155], [-3.41049, -4.3904, -9.036, -45.374], [-3.12705, -2.5856, -3.925, -22.38]],
            [[-4.32762, -15.4387, -35.679, 0.0], [-3.78057, -9.5106, -12.074, 0.0], [-3.49631, -7.0815, -7.538, 21.892]],
            [[-4.66305, -18.7688, -49.793, 104.244], [-4.1189, -11.8922, -19.031, 77.332], [-3.83511, -9.0723, -8.504, 35.403]],
            [[-4.9694, -22.4694, -52.599, 51.314], [-4.42871, -14.5876, -18.228, 39.647], [-4.14633, -11.25, -9.873, 54.109]],
            [[-5.25276, -26.2183, -59.631, 50.646], [-4.71537, -17.3569, -22.66, 91.359], [-4.43422, -13.6078, -10.238, 76.781]],
            [[-5.51727, -29.976, -75.222, 202.253], [-4.98228, -20.305, -25.224, 132.03], [-4.70233, -16.1253, -9.836, 94.272]],
            [[-5.76537, -33.9165, -84.312, 245.394], [-5.23299, -23.3328, -28.955, 182.342], [-4.95405, -18.7352, -10.168, 120.575]],
            [[-6.00003, -37.8892, -96.428, 335.92], [-5.46971, -26.4771, -31.034, 220.165], [-5.19183, -21.4328, -10.726, 157.955]],
            [[-6.22288, -41.9496, -109.881, 466.068], [-5.69447, -29.7152, -33.784, 273.002], [-5.41738, -24.2882, -8.584, 169.891]],
            [[-6.43551, -46.1151, -120.814, 566.823], [-5.90887, -33.0251, -37.208, 346.189], [-5.63255, -27.2042, -6.792, 177.666]],
            [[-6.63894, -50.4287, -128.997, 642.781], [-6.11404, -36.461, -36.246, 348.554], [-5.8385, -30.1995, -5.163, 210.338]],
            [[-6.83488, -54.7119, -139.8, 736.376], [-6.31127, -39.9676, -37.021, 406.051], [-6.0365, -33.2381, -6.606, 317.776]],
        ])
}
