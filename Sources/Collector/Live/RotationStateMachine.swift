/// Replaces a connection before Binance's 24-hour limit without losing or duplicating trades.
///
/// When the primary connection reaches ``RotationPolicy/rotateAfter`` the machine asks for a replacement
/// connection; once the replacement delivers its first frame both run side by side for
/// ``RotationPolicy/overlap`` (the caller drops duplicate trade ids), then the old one is closed and the
/// replacement becomes primary. A replacement that fails, or delivers nothing within
/// ``RotationPolicy/replacementTimeout``, is abandoned and retried after ``RotationPolicy/retryDelay``.
public struct RotationStateMachine<C: Clock>: Sendable where C.Duration == Duration {
    /// What the caller should do.
    public enum Action: Sendable, Equatable {
        case none
        /// Open a second connection with the same streams.
        case openReplacement
        /// Close the old primary; the replacement is now primary.
        case closeOldPrimary
        /// Give up on the replacement (close it if still open); the old primary stays.
        case abandonReplacement
    }

    public enum State: Sendable, Equatable {
        /// No primary connection.
        case disconnected
        /// A primary connection is open; rotation is due at `rotateAt`.
        case connected(rotateAt: C.Instant)
        /// A replacement was requested at `since` and has not delivered data yet.
        case replacing(since: C.Instant)
        /// Both connections deliver; the old one is closed at `until`.
        case overlapping(until: C.Instant)
    }

    public let policy: RotationPolicy
    public private(set) var state: State = .disconnected

    public init(policy: RotationPolicy = .init()) { self.policy = policy }

    /// A new primary connection opened (a fresh connect, not a replacement).
    public mutating func primaryOpened(at now: C.Instant) {
        state = .connected(rotateAt: now.advanced(by: policy.rotateAfter))
    }

    /// The primary connection closed unexpectedly; any replacement in flight is abandoned by the caller.
    public mutating func primaryClosed() { state = .disconnected }

    /// The replacement delivered its first frame.
    public mutating func replacementReceiving(at now: C.Instant) {
        guard case .replacing = state else { return }
        state = .overlapping(until: now.advanced(by: policy.overlap))
    }

    /// The replacement closed or failed before taking over.
    public mutating func replacementFailed(at now: C.Instant) {
        switch state {
        case .replacing, .overlapping:
            state = .connected(rotateAt: now.advanced(by: policy.retryDelay))
        default:
            break
        }
    }

    /// Time-driven decisions; call periodically.
    public mutating func check(at now: C.Instant) -> Action {
        switch state {
        case .disconnected:
            return .none
        case .connected(let rotateAt):
            guard now >= rotateAt else { return .none }
            state = .replacing(since: now)
            return .openReplacement
        case .replacing(let since):
            guard since.duration(to: now) >= policy.replacementTimeout else { return .none }
            state = .connected(rotateAt: now.advanced(by: policy.retryDelay))
            return .abandonReplacement
        case .overlapping(let until):
            guard now >= until else { return .none }
            // The replacement's age counts from when it started delivering.
            state = .connected(rotateAt: now.advanced(by: policy.rotateAfter - policy.overlap))
            return .closeOldPrimary
        }
    }
}

/// Timing of ``RotationStateMachine``.
public struct RotationPolicy: Sendable, Equatable {
    /// Age at which a connection is replaced (Binance closes connections after 24 h).
    public var rotateAfter: Duration
    /// How long old and new connection overlap after the new one delivers data.
    public var overlap: Duration
    /// How long a replacement may take to deliver its first frame.
    public var replacementTimeout: Duration
    /// Wait before trying again after a failed replacement.
    public var retryDelay: Duration

    public init(rotateAfter: Duration = .seconds(23 * 3600 + 30 * 60), overlap: Duration = .seconds(5),
                replacementTimeout: Duration = .seconds(30), retryDelay: Duration = .seconds(60)) {
        self.rotateAfter = rotateAfter
        self.overlap = overlap
        self.replacementTimeout = replacementTimeout
        self.retryDelay = retryDelay
    }
}
