import Logging

/// Exponential backoff for transient delivery failures: attempt 1, wait `initialDelay`, attempt 2, wait
/// `initialDelay × multiplier`, … up to `maximumDelay` per wait and `maximumAttempts` attempts in all.
public struct RetryPolicy: Sendable, Equatable {
    public var maximumAttempts: Int
    public var initialDelay: Duration
    public var multiplier: Double
    public var maximumDelay: Duration

    public init(
        maximumAttempts: Int = 4, initialDelay: Duration = .seconds(5), multiplier: Double = 3,
        maximumDelay: Duration = .seconds(300)
    ) {
        precondition(maximumAttempts >= 1, "at least one attempt")
        self.maximumAttempts = maximumAttempts
        self.initialDelay = initialDelay
        self.multiplier = multiplier
        self.maximumDelay = maximumDelay
    }

    /// No retries: one attempt.
    public static let none = RetryPolicy(maximumAttempts: 1)

    /// The wait after failed attempt `attempt` (1-based).
    public func delay(afterAttempt attempt: Int) -> Duration {
        var delay = initialDelay
        for _ in 1..<max(1, attempt) {
            delay = delay * multiplier
            if delay >= maximumDelay { return maximumDelay }
        }
        return min(delay, maximumDelay)
    }

    /// Runs `operation` until it succeeds, fails permanently (``DeliveryError/isTransient`` is false) or runs out of
    /// attempts, sleeping between attempts with `sleep`.
    ///
    /// - Throws: the permanent error as is, or ``DeliveryError/failedAfterRetries(attempts:last:)``.
    func run<T>(
        logger: Logger, sleep: @Sendable (Duration) async throws -> Void,
        _ operation: () async throws(DeliveryError) -> T
    ) async throws(DeliveryError) -> T {
        var attempt = 1
        while true {
            do {
                return try await operation()
            } catch {
                guard error.isTransient, attempt < maximumAttempts else {
                    throw attempt > 1 ? .failedAfterRetries(attempts: attempt, last: error) : error
                }
                let wait = delay(afterAttempt: attempt)
                logger.warning(
                    "delivery attempt failed; retrying",
                    metadata: ["delivery.attempt": "\(attempt)", "delivery.retry_in": "\(wait)", "error": "\(error)"])
                let failure = error
                do {
                    try await sleep(wait)
                } catch {
                    // Cancelled while waiting (shutdown): give up with what we know.
                    throw .failedAfterRetries(attempts: attempt, last: failure)
                }
                attempt += 1
            }
        }
    }
}
