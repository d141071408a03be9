import Foundation

/// Labels for value ticks: fixed decimals from the step, thousands separators, an offset for a
/// small range on top of a large value (matplotlib's `ScalarFormatter`), or SI suffixes for volumes.
public struct TickFormatter: Sendable, Hashable {
    /// How labels are written.
    public enum Style: Sendable, Hashable {
        /// `63,950.5`; with an offset when ≥ 4 leading digits are shared by the whole axis.
        case plain
        /// `1.5K`, `350K`, `2.1M` — for volumes and counts.
        case compact
        /// `12.5%` of the value × 100.
        case percent
    }

    /// Labels for one axis.
    public struct Labels: Sendable, Hashable {
        /// One label per tick.
        public var labels: [String]
        /// Value subtracted from every tick before labelling (shown as `+63,950` above the axis), or nil.
        public var offset: Double?
        /// The offset as text, e.g. `+63,950`.
        public var offsetLabel: String?
    }

    /// Plain, compact (SI) or percent labels.
    public var style: Style
    /// Leading digits the axis must share before an offset is used (matplotlib's `offset_threshold`).
    public var offsetThreshold: Int

    /// Creates a formatter; `offsetThreshold` is the number of shared leading digits that triggers an offset.
    public init(style: Style = .plain, offsetThreshold: Int = 4) {
        self.style = style
        self.offsetThreshold = offsetThreshold
    }

    /// Labels for `ticks` (an evenly spaced ``ValueTicks``). O(ticks).
    public func labels(for ticks: ValueTicks) -> Labels {
        guard !ticks.values.isEmpty, ticks.step > 0 else { return Labels(labels: [], offset: nil, offsetLabel: nil) }
        switch style {
        case .compact:
            return Labels(labels: Self.compactLabels(ticks), offset: nil, offsetLabel: nil)
        case .percent:
            let decimals = Self.decimals(for: ticks.step * 100)
            return Labels(labels: ticks.values.map { Self.format($0 * 100, decimals: decimals, grouping: false) + "%" },
                          offset: nil, offsetLabel: nil)
        case .plain:
            let decimals = Self.decimals(for: ticks.step)
            if let offset = Self.offset(lower: ticks.values[0], upper: ticks.values[ticks.values.count - 1],
                                        threshold: offsetThreshold) {
                let shifted = ticks.values.map { $0 - offset }
                let grouping = (shifted.map(abs).max() ?? 0) >= 10_000
                let offsetDecimals = max(0, Int(-floor(log10(abs(offset) > 0 ? Self.unit(of: offset) : 1))))
                return Labels(labels: shifted.map { Self.format($0, decimals: decimals, grouping: grouping) },
                              offset: offset,
                              offsetLabel: (offset >= 0 ? "+" : "") + Self.format(offset, decimals: offsetDecimals, grouping: true))
            }
            let grouping = (ticks.values.map(abs).max() ?? 0) >= 10_000
            return Labels(labels: ticks.values.map { Self.format($0, decimals: decimals, grouping: grouping) },
                          offset: nil, offsetLabel: nil)
        }
    }

    /// Label of one value at the precision of the axis `step` (for last-value tags and cell values).
    public func label(_ value: Double, step: Double, extraDecimals: Int = 0) -> String {
        switch style {
        case .compact: return Self.compact(value, step: step)
        case .percent: return Self.format(value * 100, decimals: Self.decimals(for: step * 100) + extraDecimals, grouping: false) + "%"
        case .plain: return Self.format(value, decimals: Self.decimals(for: step) + extraDecimals, grouping: abs(value) >= 10_000)
        }
    }

    // MARK: - Pieces

    /// Decimals needed to show multiples of `step` exactly (1 for 0.5, 2 for 0.05, 0 for 20).
    public static func decimals(for step: Double) -> Int {
        guard step > 0, step.isFinite else { return 0 }
        var d = 0
        while d < 12 {
            let scaled = step * pow(10, Double(d))
            if abs(scaled - scaled.rounded()) < 1e-6 * max(1, scaled) { return d }
            d += 1
        }
        return d
    }

    /// The offset for an axis from `lower` to `upper`, when they share at least `threshold` leading digits.
    static func offset(lower: Double, upper: Double, threshold: Int) -> Double? {
        guard lower > 0 || upper < 0, upper > lower else { return nil }
        let sign: Double = lower > 0 ? 1 : -1
        let lo = min(abs(lower), abs(upper)), hi = max(abs(lower), abs(upper))
        let top = Int(floor(log10(hi)))
        var o = top
        var common: Int? = nil
        while o > top - 17 {
            let p = pow(10, Double(o))
            if floor(lo / p) != floor(hi / p) { break }
            common = o
            o -= 1
        }
        guard let common, top - common + 1 >= threshold else { return nil }
        let p = pow(10, Double(common))
        return sign * floor(lo / p) * p
    }

    private static func unit(of value: Double) -> Double {
        var u = pow(10, floor(log10(abs(value))))
        while u > 1e-12, abs(value / u - (value / u).rounded()) > 1e-6 { u /= 10 }
        return u
    }

    private static func compactLabels(_ ticks: ValueTicks) -> [String] {
        let top = ticks.values.map(abs).max() ?? 0
        let (divisor, suffix) = siUnit(top)
        let decimals = decimals(for: ticks.step / divisor)
        return ticks.values.map { $0 == 0 ? "0" : format($0 / divisor, decimals: decimals, grouping: false) + suffix }
    }

    private static func compact(_ value: Double, step: Double) -> String {
        let (divisor, suffix) = siUnit(abs(value))
        return format(value / divisor, decimals: min(2, max(decimals(for: step / divisor), abs(value) / divisor < 10 ? 1 : 0)),
                      grouping: false) + suffix
    }

    private static func siUnit(_ magnitude: Double) -> (Double, String) {
        if magnitude >= 1e9 { return (1e9, "B") }
        if magnitude >= 1e6 { return (1e6, "M") }
        if magnitude >= 1e3 { return (1e3, "K") }
        return (1, "")
    }

    /// Fixed-point text with `decimals` digits after the point, `-` for negatives (never `-0`),
    /// and `,` between thousands when `grouping` is on. Locale-independent.
    public static func format(_ value: Double, decimals: Int, grouping: Bool) -> String {
        guard value.isFinite else { return "–" }
        let d = max(0, min(12, decimals))
        let p = pow(10, Double(d))
        let scaled = (abs(value) * p).rounded()
        let negative = value < 0 && scaled != 0
        var intPart = floor(scaled / p)
        var frac = scaled - intPart * p
        if frac >= p { intPart += 1; frac -= p }
        var digits = intPart < 1e18 ? String(UInt64(intPart)) : String(intPart)
        if grouping, digits.count > 3 {
            var grouped = ""
            for (i, ch) in digits.enumerated() {
                if i > 0, (digits.count - i) % 3 == 0 { grouped.append(",") }
                grouped.append(ch)
            }
            digits = grouped
        }
        var out = negative ? "-" + digits : digits
        if d > 0 {
            let f = String(UInt64(frac.rounded()))
            out += "." + String(repeating: "0", count: max(0, d - f.count)) + f
        }
        return out
    }
}
