/// Decides when a stream connection is (re)opened: exponential backoff with jitter, capped, and
/// reset once a connection has stayed up for a healthy period.
///
/// Pure and synchronous: the caller passes the clock's `now` and a random number generator and
/// performs the returned ``Action``. Delay before reconnect attempt *n* (0-based, counted since the last
/// healthy connection) is `min(maximumDelay, initialDelay × multiplier^n)`, reduced by a random
/// fraction of up to ``ReconnectPolicy/jitter`` so that many collectors do not reconnect in lock-step.
///
/// ```swift
/// var machine = ReconnectStateMachine<ContinuousClock>(policy: ReconnectPolicy())
/// machine.connectionOpened(at: clock.now)
/// if case .reconnect(let at, _) = machine.connectionClosed(at: clock.now, using: &rng) { try await clock.sleep(until: at) }
/// ```
public struct ReconnectStateMachine<C: Clock>: Sendable where C.Duration == Duration {
    /// What the caller should do next.
    public enum Action: Sendable, Equatable {
        /// Open a connection at `at` (after waiting); `attempt` counts failures since the last healthy connection (1-based).
        case reconnect(at: C.Instant, attempt: Int)
        /// Do nothing (the machine is stopped).
        case none
    }

    /// Where the machine stands.
    public enum State: Sendable, Equatable {
        case idle
        case connecting
        case connected(since: C.Instant)
        case waiting(until: C.Instant)
        case stopped
    }

    public private(set) var state: State = .idle
    /// Failed attempts since the last healthy connection.
    public private(set) var failures = 0
    public let policy: ReconnectPolicy

    public init(policy: ReconnectPolicy = .init()) { self.policy = policy }

    /// A connection attempt starts now.
    public mutating func connecting() {
        guard state != .stopped else { return }
        state = .connecting
    }

    /// The WebSocket upgrade succeeded.
    public mutating func connectionOpened(at now: C.Instant) {
        guard state != .stopped else { return }
        state = .connected(since: now)
    }

    /// The connection closed or the attempt failed; returns when to try again.
    ///
    /// - Parameter random: the source of jitter (inject a seeded generator in tests).
    public mutating func connectionClosed(at now: C.Instant, using random: inout some RandomNumberGenerator) -> Action {
        switch state {
        case .stopped:
            return .none
        case .connected(let since) where since.duration(to: now) >= policy.healthyAfter:
            failures = 0
        default:
            break
        }
        let delay = jittered(baseDelay(forFailure: failures), using: &random)
        failures += 1
        let at = now.advanced(by: delay)
        state = .waiting(until: at)
        return .reconnect(at: at, attempt: failures)
    }

    /// Shutdown: no further reconnects.
    public mutating func stop() { state = .stopped }

    /// The delay before attempt `failure` (0-based) without jitter.
    public func baseDelay(forFailure failure: Int) -> Duration {
        let initial = Self.seconds(policy.initialDelay)
        let cap = Self.seconds(policy.maximumDelay)
        var value = initial
        var n = 0
        while n < failure, value < cap {
            value *= policy.multiplier
            n += 1
        }
        return Self.duration(min(value, cap))
    }

    private func jittered(_ delay: Duration, using random: inout some RandomNumberGenerator) -> Duration {
        guard policy.jitter > 0 else { return delay }
        let fraction = Double.random(in: 0...policy.jitter, using: &random)
        return Self.duration(Self.seconds(delay) * (1 - fraction))
    }

    static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }

    static func duration(_ seconds: Double) -> Duration { .nanoseconds(Int64((seconds * 1e9).rounded())) }
}

/// Backoff parameters of ``ReconnectStateMachine``.
public struct ReconnectPolicy: Sendable, Equatable {
    /// Delay before the first reconnect attempt after a failure.
    public var initialDelay: Duration
    /// Upper bound of any delay.
    public var maximumDelay: Duration
    /// Growth factor per failed attempt (≥ 1).
    public var multiplier: Double
    /// Fraction (0…1) of a delay that is randomly taken off.
    public var jitter: Double
    /// A connection that lived at least this long resets the backoff.
    public var healthyAfter: Duration

    public init(initialDelay: Duration = .milliseconds(500), maximumDelay: Duration = .seconds(30),
                multiplier: Double = 2, jitter: Double = 0.5, healthyAfter: Duration = .seconds(60)) {
        precondition(multiplier >= 1 && (0...1).contains(jitter) && initialDelay >= .zero && maximumDelay >= initialDelay)
        self.initialDelay = initialDelay
        self.maximumDelay = maximumDelay
        self.multiplier = multiplier
        self.jitter = jitter
        self.healthyAfter = healthyAfter
    }
}
