import Market

/// The outcome of evaluating one alert rule on one subject over a report window.
///
/// Findings lead a report when any needs attention; they are written to `findings.csv` and their
/// transitions to `alert_events`.
public struct Finding: Sendable, Hashable, Codable {
    /// The rule's name.
    public var rule: String
    /// What the rule watches.
    public var metric: AlertMetric
    /// The comparison.
    public var condition: AlertCondition
    /// The rule's threshold.
    public var threshold: Double
    /// The threshold at which it clears.
    public var clearThreshold: Double
    /// The pair or symbol evaluated, e.g. `BTCUSDT/ETHUSDT`.
    public var subject: String
    /// Urgency.
    public var severity: AlertSeverity
    /// The state at the end of the window.
    public var state: AlertStateKind
    /// The latest defined value, and its time.
    public var value: Double?
    /// The bar open time of ``value``.
    public var valueTime: Timestamp?
    /// Start of the current or most recent episode (the first breach that led to pending/firing).
    public var firstBreach: Timestamp?
    /// When the alert last started firing, if it fired (in this window or before it).
    public var firedAt: Timestamp?
    /// When it resolved, if it resolved in this window.
    public var resolvedAt: Timestamp?
    /// How long it has been (or was) pending or firing, up to the evaluation time; `nil` when normal.
    public var duration: TimeSpan?
    /// How many times the value moved past the threshold within the window (rising edges, counting the first
    /// sample if it is already past).
    public var breachCount: Int
    /// The most extreme value past the threshold in the window, if any.
    public var peak: Double?
    /// Stable identity of rule + subject (``Fingerprint``).
    public var fingerprint: String
    /// The one-line summary, rendered from the rule's template.
    public var summary: String
    /// State changes within the window, in time order.
    public var transitions: [AlertTransition]

    /// Creates a finding; the evaluator is the usual source (``AlertEvaluator/evaluate(_:subject:samples:asOf:barWidth:previous:)``).
    public init(rule: String, metric: AlertMetric, condition: AlertCondition, threshold: Double, clearThreshold: Double,
                subject: String, severity: AlertSeverity, state: AlertStateKind, value: Double? = nil,
                valueTime: Timestamp? = nil, firstBreach: Timestamp? = nil, firedAt: Timestamp? = nil,
                resolvedAt: Timestamp? = nil, duration: TimeSpan? = nil, breachCount: Int, peak: Double? = nil,
                fingerprint: String, summary: String, transitions: [AlertTransition]) {
        self.rule = rule
        self.metric = metric
        self.condition = condition
        self.threshold = threshold
        self.clearThreshold = clearThreshold
        self.subject = subject
        self.severity = severity
        self.state = state
        self.value = value
        self.valueTime = valueTime
        self.firstBreach = firstBreach
        self.firedAt = firedAt
        self.resolvedAt = resolvedAt
        self.duration = duration
        self.breachCount = breachCount
        self.peak = peak
        self.fingerprint = fingerprint
        self.summary = summary
        self.transitions = transitions
    }

    /// Whether the finding should be shown ahead of the rest of the report.
    public var needsAttention: Bool { state.needsAttention || state == .resolved }
}

extension Array where Element == Finding {
    /// Findings ordered for display: by state (firing first), then severity (critical first), then rule name and subject.
    public func sortedForDisplay() -> [Finding] {
        sorted {
            if $0.state.listingRank != $1.state.listingRank { return $0.state.listingRank < $1.state.listingRank }
            if $0.severity != $1.severity { return $0.severity > $1.severity }
            if $0.rule != $1.rule { return $0.rule < $1.rule }
            return $0.subject < $1.subject
        }
    }
}
