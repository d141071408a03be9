import Market

/// Evaluates alert rules over a window of metric values into ``Finding``s. Pure: arrays in, values out.
///
/// The state machine follows Prometheus and Grafana:
/// - `normal` → `pending` when the condition starts to hold (or straight to `firing` without a `for` duration);
/// - `pending` → `firing` once it has held for `for` (measured between sample times), `pending` → `normal` if it
///   stops holding first;
/// - `firing` → `resolved` when the value is back past the clear threshold (after `keep_firing_for`, if set);
/// - any state → `nodata` when no sample arrives for `no_data_after` (default 5 bars), and back when data returns.
///
/// Evaluation continues from the state before the window (``AlertState``), so an alert that was
/// already firing keeps its `firedAt` and does not fire again. A `resolved` state from before the window
/// counts as `normal` (the resolution was reported by the run that saw it).
///
/// ```swift
/// let finding = AlertEvaluator.evaluate(rule, subject: "BTCUSDT/ETHUSDT", samples: zScores,
///                                       asOf: runTime, barWidth: .minutes(1), previous: stored)
/// ```
/// O(n) in the number of samples.
public enum AlertEvaluator {
    /// Evaluates `rule` over `samples` (ascending time; samples opening at or after `asOf` are ignored).
    ///
    /// - Parameters:
    ///   - rule: a validated rule.
    ///   - subject: what the samples belong to (a pair or a symbol), used in the fingerprint and summary.
    ///   - samples: the metric at each bar open time; `nil` values (undefined statistics) are skipped.
    ///   - asOf: the evaluation time (end of the report window), UTC.
    ///   - barWidth: the bar timeframe's width; a sample at `t` covers `[t, t + barWidth)`.
    ///   - previous: the alert's state before the first sample.
    /// - Returns: the finding at `asOf`, with the transitions that happened within the window.
    public static func evaluate(_ rule: AlertRule, subject: String, samples: [MetricSample], asOf: Timestamp,
                                barWidth: TimeSpan, previous: AlertState = .initial) -> Finding {
        let staleAfter = rule.noDataAfter ?? TimeSpan(milliseconds: barWidth.milliseconds * 5)
        var machine = StateMachine(rule: rule, previous: previous)
        var statistics = BreachStatistics(rule: rule)
        var lastSampleTime: Timestamp?
        var lastValue: (time: Timestamp, value: Double)?

        for sample in samples where sample.time < asOf {
            if let last = lastSampleTime, (sample.time - last).milliseconds - barWidth.milliseconds >= staleAfter.milliseconds {
                machine.noData(at: last + barWidth + staleAfter)
            }
            lastSampleTime = sample.time
            guard let value = sample.value, value.isFinite else { continue }
            statistics.add(value)
            machine.step(time: sample.time, value: value)
            lastValue = (sample.time, value)
        }
        if let last = lastSampleTime {
            if (asOf - last).milliseconds - barWidth.milliseconds >= staleAfter.milliseconds {
                machine.noData(at: last + barWidth + staleAfter)
            }
        } else {
            machine.noData(at: asOf)
        }
        if lastValue == nil { machine.noData(at: lastSampleTime.map { $0 + barWidth + staleAfter } ?? asOf) }

        let duration: TimeSpan? = switch machine.kind {
        case .firing: machine.firedAt.map { asOf - $0 }
        case .pending: machine.activeSince.map { asOf - $0 }
        case .resolved: machine.firedAt.flatMap { fired in machine.resolvedAt.map { $0 - fired } }
        case .normal, .nodata: nil
        }
        var finding = Finding(
            rule: rule.name, metric: rule.metric, condition: rule.condition, threshold: rule.threshold,
            clearThreshold: rule.effectiveClearThreshold, subject: subject, severity: rule.severity,
            state: machine.kind, value: lastValue?.value, valueTime: lastValue?.time,
            firstBreach: machine.activeSince ?? machine.lastEpisodeStart, firedAt: machine.firedAt,
            resolvedAt: machine.resolvedAt, duration: duration, breachCount: statistics.count, peak: statistics.peak,
            fingerprint: Fingerprint.of(rule, subject: subject), summary: "", transitions: machine.transitions)
        finding.summary = SummaryTemplate.render(rule.summary ?? SummaryTemplate.defaultTemplate, finding: finding)
        return finding
    }
}

// MARK: - State machine

/// The per-alert state machine, stepped once per defined sample.
struct StateMachine {
    let rule: AlertRule
    private(set) var kind: AlertStateKind
    private(set) var activeSince: Timestamp?
    private(set) var firedAt: Timestamp?
    private(set) var resolvedAt: Timestamp?
    /// Start of the last episode that ended within the window (kept for resolved findings).
    private(set) var lastEpisodeStart: Timestamp?
    private(set) var transitions: [AlertTransition] = []
    private var conditionActive: Bool
    /// First sample of the current run of samples on which a firing alert's condition no longer holds.
    private var clearSince: Timestamp?
    private var previousValue: Double?

    init(rule: AlertRule, previous: AlertState) {
        self.rule = rule
        switch previous.kind {
        case .pending, .firing:
            kind = previous.kind
            activeSince = previous.activeSince
            firedAt = previous.kind == .firing ? previous.firedAt : nil
            conditionActive = true
        case .resolved, .normal:
            kind = .normal
            conditionActive = false
        case .nodata:
            kind = .nodata
            conditionActive = false
        }
    }

    private mutating func enter(_ state: AlertStateKind, at time: Timestamp, value: Double?) {
        guard state != kind else { return }
        kind = state
        transitions.append(AlertTransition(state: state, time: time, value: value))
    }

    /// Whether a value starts an episode, given the previous defined value.
    private func triggers(_ value: Double) -> Bool {
        let t = rule.threshold
        switch rule.condition {
        case .greaterThan: return value > t
        case .greaterThanOrEqual: return value >= t
        case .lessThan: return value < t
        case .lessThanOrEqual: return value <= t
        case .equal: return abs(value - t) <= rule.tolerance
        case .crossesAbove:
            guard let previousValue else { return false }
            return previousValue <= t && value > t
        case .crossesBelow:
            guard let previousValue else { return false }
            return previousValue >= t && value < t
        }
    }

    /// Whether a value ends an active episode (is back past the clear threshold).
    private func clears(_ value: Double) -> Bool {
        let c = rule.effectiveClearThreshold
        switch rule.condition {
        case .greaterThan, .crossesAbove: return value <= c
        case .greaterThanOrEqual: return value < c
        case .lessThan, .crossesBelow: return value >= c
        case .lessThanOrEqual: return value > c
        case .equal: return abs(value - rule.threshold) > rule.tolerance
        }
    }

    mutating func step(time: Timestamp, value: Double) {
        conditionActive = conditionActive ? !clears(value) : triggers(value)
        previousValue = value
        if conditionActive {
            clearSince = nil
            switch kind {
            case .firing:
                break
            case .pending:
                let since = activeSince ?? time
                if time - since >= (rule.pendingFor ?? TimeSpan(milliseconds: 0)) { fire(at: time, value: value) }
            case .normal, .resolved, .nodata:
                activeSince = time
                resolvedAt = nil
                firedAt = nil
                if let wait = rule.pendingFor, wait.milliseconds > 0 {
                    enter(.pending, at: time, value: value)
                } else {
                    fire(at: time, value: value)
                }
            }
        } else {
            switch kind {
            case .firing:
                if let keep = rule.keepFiringFor {
                    // The countdown starts at the first sample on which the condition no longer holds.
                    let since = clearSince ?? time
                    clearSince = since
                    if time - since < keep { return }
                }
                lastEpisodeStart = activeSince
                activeSince = nil
                resolvedAt = time
                enter(.resolved, at: time, value: value)
            case .pending:
                lastEpisodeStart = nil
                activeSince = nil
                enter(.normal, at: time, value: value)
            case .nodata:
                enter(.normal, at: time, value: value)
            case .normal, .resolved:
                break
            }
        }
    }

    private mutating func fire(at time: Timestamp, value: Double) {
        firedAt = time
        enter(.firing, at: time, value: value)
    }

    /// No data since a while: the alert cannot be judged until values return.
    mutating func noData(at time: Timestamp) {
        guard kind != .nodata else { return }
        if kind == .firing || kind == .pending { lastEpisodeStart = activeSince }
        activeSince = nil
        conditionActive = false
        previousValue = nil
        clearSince = nil
        enter(.nodata, at: time, value: nil)
    }
}

// MARK: - Statistics

/// Counts how often values move past the threshold and tracks the most extreme value past it.
struct BreachStatistics {
    let rule: AlertRule
    private(set) var count = 0
    private(set) var peak: Double?
    private var wasPast = false

    init(rule: AlertRule) { self.rule = rule }

    mutating func add(_ value: Double) {
        let t = rule.threshold
        let past: Bool = switch rule.condition {
        case .greaterThan, .crossesAbove: value > t
        case .greaterThanOrEqual: value >= t
        case .lessThan, .crossesBelow: value < t
        case .lessThanOrEqual: value <= t
        case .equal: abs(value - t) <= rule.tolerance
        }
        if past && !wasPast { count += 1 }
        wasPast = past
        guard past else { return }
        if rule.condition.isUpward {
            peak = max(peak ?? value, value)
        } else if rule.condition.isDownward {
            peak = min(peak ?? value, value)
        }
    }
}
