/// A linear map from a data interval to a canvas interval (the range may be reversed, as for y).
///
/// ```swift
/// let y = LinearScale(domain: 0...100, range: 400...0)   // 0 at the bottom
/// y(25)   // 300
/// ```
public struct LinearScale: Sendable, Hashable {
    /// Data values at the two ends.
    public var domainLower: Double
    /// Data value at `rangeEnd`.
    public var domainUpper: Double
    /// Canvas coordinates that `domainLower` and `domainUpper` map to.
    public var rangeStart: Double
    /// Canvas coordinate of `domainUpper`.
    public var rangeEnd: Double

    /// Creates a scale; a degenerate domain is widened by ±0.5 (or ±1 % of the value) so it stays invertible.
    public init(domain lower: Double, _ upper: Double, range start: Double, _ end: Double) {
        var lo = lower, hi = upper
        if !(hi > lo) {
            let pad = lo == 0 ? 0.5 : abs(lo) * 0.01
            lo -= pad
            hi += pad
        }
        domainLower = lo
        domainUpper = hi
        rangeStart = start
        rangeEnd = end
    }

    /// Canvas coordinate of a data value (extrapolates outside the domain).
    @inlinable public func callAsFunction(_ value: Double) -> Double {
        rangeStart + (value - domainLower) / (domainUpper - domainLower) * (rangeEnd - rangeStart)
    }

    /// Data value at a canvas coordinate.
    public func invert(_ position: Double) -> Double {
        domainLower + (position - rangeStart) / (rangeEnd - rangeStart) * (domainUpper - domainLower)
    }
}

/// A linear map from UTC time (`Timestamp` ms) to canvas x.
public struct TimeScale: Sendable, Hashable {
    /// First and last instants of the domain, ms since the epoch (UTC).
    public var start: Int64
    /// Last instant, ms since the epoch (UTC).
    public var end: Int64
    /// Canvas x of `start`.
    public var rangeStart: Double
    /// Canvas x of `end`.
    public var rangeEnd: Double

    /// Creates a time scale; an empty domain is widened by ±30 s.
    public init(start: Int64, end: Int64, range a: Double, _ b: Double) {
        if end > start {
            self.start = start
            self.end = end
        } else {
            self.start = start - 30_000
            self.end = start + 30_000
        }
        rangeStart = a
        rangeEnd = b
    }

    /// Canvas x of an instant (ms since the epoch).
    @inlinable public func callAsFunction(_ ms: Int64) -> Double {
        rangeStart + Double(ms - start) / Double(end - start) * (rangeEnd - rangeStart)
    }

    /// Canvas units per millisecond.
    public var unitsPerMillisecond: Double { (rangeEnd - rangeStart) / Double(end - start) }
}
