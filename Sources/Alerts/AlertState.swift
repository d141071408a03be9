import Market

/// The state of one alert (a rule on one pair), as in Prometheus and Grafana.
public enum AlertStateKind: String, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible {
    /// The condition does not hold.
    case normal
    /// The condition holds but not yet for the rule's `for` duration.
    case pending
    /// The condition has held long enough; the alert is active.
    case firing
    /// The alert fired earlier in this window and has since cleared.
    case resolved
    /// No fresh value: the bars are stale or missing, so the rule cannot be judged.
    case nodata

    public var description: String { rawValue }

    /// Whether a finding in this state belongs at the top of a report.
    public var needsAttention: Bool { self == .firing || self == .pending || self == .nodata }

    /// Order for listing findings: firing, pending, nodata, resolved, normal.
    public var listingRank: Int {
        switch self {
        case .firing: 0
        case .pending: 1
        case .nodata: 2
        case .resolved: 3
        case .normal: 4
        }
    }
}

/// A change of an alert's state at a moment, as stored in `alert_events`.
public struct AlertTransition: Sendable, Hashable, Codable {
    /// The state entered.
    public var state: AlertStateKind
    /// When it was entered (the time of the sample that caused it), UTC.
    public var time: Timestamp
    /// The metric value at that sample (`nil` for `nodata`).
    public var value: Double?

    /// Creates a transition.
    public init(state: AlertStateKind, time: Timestamp, value: Double?) {
        self.state = state
        self.time = time
        self.value = value
    }
}

/// Where an alert stood before an evaluation window, so that evaluation continues instead of re-firing.
///
/// Rebuilt from the stored transitions with ``init(continuingFrom:)``.
public struct AlertState: Sendable, Hashable, Codable {
    /// The state at the end of the previous evaluation.
    public var kind: AlertStateKind
    /// When the current episode (pending or firing) began.
    public var activeSince: Timestamp?
    /// When the alert started firing, if it is firing.
    public var firedAt: Timestamp?

    /// Creates a state.
    public init(kind: AlertStateKind, activeSince: Timestamp? = nil, firedAt: Timestamp? = nil) {
        self.kind = kind
        self.activeSince = activeSince
        self.firedAt = firedAt
    }

    /// The initial state of a rule never evaluated before.
    public static let initial = AlertState(kind: .normal)

    /// Rebuilds the state from an alert's stored transitions (any order), e.g. every `alert_events` row of the
    /// alert before the window start. O(n log n).
    ///
    /// The last transition gives the state; a firing alert's episode start is the pending transition right
    /// before its firing transition, if there was one.
    public init(continuingFrom transitions: [AlertTransition]) {
        let sorted = transitions.sorted { $0.time < $1.time }
        guard let last = sorted.last else {
            self = .initial
            return
        }
        switch last.state {
        case .pending:
            self.init(kind: .pending, activeSince: last.time)
        case .firing:
            var since = last.time
            if sorted.count >= 2, sorted[sorted.count - 2].state == .pending { since = sorted[sorted.count - 2].time }
            self.init(kind: .firing, activeSince: since, firedAt: last.time)
        case .normal, .resolved, .nodata:
            self.init(kind: last.state)
        }
    }
}
