/// How long ``ReconnectingRedisClient`` waits before its next connection attempt: `initial`, doubling after every
/// failed attempt in a row, never more than `maximum`.
///
/// ```swift
/// let backoff = RedisBackoff(initial: .milliseconds(100), maximum: .seconds(5))
/// backoff.delay(afterFailures: 1)   // 100 ms
/// backoff.delay(afterFailures: 4)   // 800 ms
/// backoff.delay(afterFailures: 20)  // 5 s
/// ```
public struct RedisBackoff: Sendable, Hashable {
    public var initial: Duration
    public var maximum: Duration

    /// - Precondition: `0 < initial ≤ maximum`.
    public init(initial: Duration = .milliseconds(100), maximum: Duration = .seconds(5)) {
        precondition(initial > .zero && initial <= maximum, "backoff needs 0 < initial ≤ maximum")
        self.initial = initial
        self.maximum = maximum
    }

    /// The wait after `failures` failed attempts in a row (none after 0).
    public func delay(afterFailures failures: Int) -> Duration {
        guard failures > 0 else { return .zero }
        var delay = initial
        for _ in 1..<min(failures, 64) where delay < maximum { delay *= 2 }
        return min(delay, maximum)
    }
}
