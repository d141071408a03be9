import Foundation

/// Ticks on a value axis: the values, their spacing and their labels.
public struct ValueTicks: Sendable, Hashable {
    /// Tick values in ascending order, each an integer multiple of `step`.
    public var values: [Double]
    /// Distance between neighbouring ticks (1, 2 or 5 × a power of ten).
    public var step: Double

    /// Creates ticks from values and their step.
    public init(values: [Double], step: Double) {
        self.values = values
        self.step = step
    }
}

/// Finds up to `maxTicks` ticks at "nice" values (1-2-5 × 10ⁿ) inside an interval, like matplotlib's `MaxNLocator`.
///
/// ```swift
/// TickLocator(maxTicks: 6).ticks(lower: 63_834.5, upper: 63_999.1).values
/// // [63_850, 63_900, 63_950]  (step 50)
/// ```
public struct TickLocator: Sendable, Hashable {
    /// Most ticks wanted (≥ 2).
    public var maxTicks: Int
    /// Mantissas tried in order, smallest step first.
    public var mantissas: [Double]

    /// Creates a locator for at most `maxTicks` ticks (at least 2) with the given step mantissas.
    public init(maxTicks: Int, mantissas: [Double] = [1, 2, 5, 10]) {
        self.maxTicks = max(2, maxTicks)
        self.mantissas = mantissas
    }

    /// The densest nice ticks within `lower…upper` (both ends included) that number at most ``maxTicks``. O(maxTicks).
    ///
    /// A degenerate or non-finite interval yields no ticks.
    /// At least two ticks are returned whenever the interval is valid (more than ``maxTicks`` if it takes that).
    public func ticks(lower: Double, upper: Double) -> ValueTicks {
        guard lower.isFinite, upper.isFinite, upper > lower else { return ValueTicks(values: [], step: 0) }
        var wanted = maxTicks
        var result = ticks(lower: lower, upper: upper, maxTicks: wanted)
        while result.values.count < 2, wanted < maxTicks + 8 {
            wanted += 1
            result = ticks(lower: lower, upper: upper, maxTicks: wanted)
        }
        return result
    }

    private func ticks(lower: Double, upper: Double, maxTicks: Int) -> ValueTicks {
        let raw = (upper - lower) / Double(maxTicks - 1)
        // Start one decade below the raw step: a smaller step can still fit when the ends are not on ticks.
        var magnitude = pow(10, floor(log10(raw)) - 1)
        for _ in 0..<4 {
            for m in mantissas {
                let step = m * magnitude
                let first = (lower / step - 1e-9).rounded(.up), last = (upper / step + 1e-9).rounded(.down)
                let count = Int(last - first) + 1
                guard count <= maxTicks else { continue }
                let values = (0..<max(0, count)).map { Self.clean((first + Double($0)) * step, step: step) }
                return ValueTicks(values: values, step: step)
            }
            magnitude *= 10
        }
        return ValueTicks(values: [lower, upper], step: upper - lower)
    }

    /// `value` rounded to a few digits below `step`, removing binary noise such as 0.30000000000000004.
    static func clean(_ value: Double, step: Double) -> Double {
        let decimals = max(0, Int(-floor(log10(step))) + 2)
        guard decimals < 15 else { return value }
        let p = pow(10, Double(decimals))
        return (value * p).rounded() / p
    }
}
