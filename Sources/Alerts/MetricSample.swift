import Market

/// One value of a metric at a bar's open time; `nil` when the statistic is undefined there
/// (e.g. a rolling window that is not yet full).
public struct MetricSample: Sendable, Hashable, Codable {
    /// Bar open time, UTC.
    public var time: Timestamp
    /// The value, or `nil` when undefined.
    public var value: Double?

    /// Creates a sample.
    public init(time: Timestamp, value: Double?) {
        self.time = time
        self.value = value
    }
}

extension Array where Element == MetricSample {
    /// Zips times and values into samples (the shorter length wins).
    public init(times: [Timestamp], values: [Double?]) {
        self = zip(times, values).map { MetricSample(time: $0, value: $1) }
    }
}
