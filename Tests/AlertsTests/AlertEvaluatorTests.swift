import Alerts
import Market
import Testing

/// Builds one-minute samples starting at 2024-01-01T00:00Z.
private func minutes(_ values: [Double?]) -> [MetricSample] {
    values.enumerated().map { MetricSample(time: t(minute: $0.offset), value: $0.element) }
}

private let t0 = Timestamp(CivilTime(year: 2024, month: 1, day: 1))
private func t(minute: Int) -> Timestamp { t0 + .minutes(Int64(minute)) }
/// The evaluation time just after the last sample's bar closes.
private func end(_ count: Int) -> Timestamp { t(minute: count) }

private func rule(_ condition: AlertCondition, _ threshold: Double, clear: Double? = nil, pendingFor: TimeSpan? = nil,
                  keep: TimeSpan? = nil, noData: TimeSpan? = nil) -> AlertRule {
    AlertRule(name: "r", metric: .zScore, condition: condition, threshold: threshold, clearThreshold: clear,
              pendingFor: pendingFor, keepFiringFor: keep, noDataAfter: noData)
}

private func evaluate(_ rule: AlertRule, _ values: [Double?], previous: AlertState = .initial, asOf: Timestamp? = nil) -> Finding {
    AlertEvaluator.evaluate(rule, subject: "BTCUSDT/ETHUSDT", samples: minutes(values), asOf: asOf ?? end(values.count),
                            barWidth: .minutes(1), previous: previous)
}

@Suite("AlertEvaluator")
struct AlertEvaluatorTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var condition: AlertCondition
        var threshold: Double
        var clear: Double? = nil
        var values: [Double?]
        var state: AlertStateKind
        var breaches: Int
        var testDescription: String { name }
    }

    static let conditionCases: [Case] = [
        Case(name: "> fires above", condition: .greaterThan, threshold: 2, values: [0, 1, 2.5], state: .firing, breaches: 1),
        Case(name: "> not at the threshold", condition: .greaterThan, threshold: 2, values: [0, 2], state: .normal, breaches: 0),
        Case(name: ">= fires at the threshold", condition: .greaterThanOrEqual, threshold: 2, values: [0, 2], state: .firing, breaches: 1),
        Case(name: "< fires below", condition: .lessThan, threshold: 0.5, values: [0.9, 0.4], state: .firing, breaches: 1),
        Case(name: "<= fires at", condition: .lessThanOrEqual, threshold: 0.5, values: [0.9, 0.5], state: .firing, breaches: 1),
        Case(name: "== within tolerance", condition: .equal, threshold: 1, values: [0, 1 + 1e-12], state: .firing, breaches: 1),
        Case(name: "== outside tolerance", condition: .equal, threshold: 1, values: [0, 1.001], state: .normal, breaches: 0),
        Case(name: "> resolves when back", condition: .greaterThan, threshold: 2, values: [3, 1], state: .resolved, breaches: 1),
        Case(name: "> two episodes counted", condition: .greaterThan, threshold: 2, values: [3, 1, 3, 1, 0], state: .resolved, breaches: 2),
        Case(name: "crosses_above needs a crossing", condition: .crossesAbove, threshold: 2, values: [3, 3, 3], state: .normal, breaches: 1),
        Case(name: "crosses_above fires on crossing", condition: .crossesAbove, threshold: 2, values: [3, 1, 3], state: .firing, breaches: 2),
        Case(name: "crosses_below fires on crossing", condition: .crossesBelow, threshold: 0, values: [1, -1], state: .firing, breaches: 1),
        Case(name: "crosses_below resolves", condition: .crossesBelow, threshold: 0, values: [1, -1, 1], state: .resolved, breaches: 1),
        Case(name: "hysteresis keeps firing", condition: .greaterThan, threshold: 2, clear: 1, values: [0, 2.5, 1.5, 1.2], state: .firing, breaches: 1),
        Case(name: "hysteresis clears past clear", condition: .greaterThan, threshold: 2, clear: 1, values: [0, 2.5, 1.5, 0.9], state: .resolved, breaches: 1),
        Case(name: "< hysteresis", condition: .lessThan, threshold: 0.5, clear: 0.7, values: [0.9, 0.4, 0.6], state: .firing, breaches: 1),
        Case(name: "nil values are skipped", condition: .greaterThan, threshold: 2, values: [nil, nil, 3, nil], state: .firing, breaches: 1),
    ]

    @Test("conditions", arguments: conditionCases)
    func conditions(_ c: Case) {
        let finding = evaluate(rule(c.condition, c.threshold, clear: c.clear), c.values)
        #expect(finding.state == c.state)
        #expect(finding.breachCount == c.breaches)
    }

    @Test("a `for` duration keeps the alert pending until it has held that long")
    func pendingThenFiring() {
        // Given z above 2 from minute 1 on, and `for: 3m`
        let r = rule(.greaterThan, 2, pendingFor: .minutes(3))
        // When three minutes have not yet passed, then pending
        let early = evaluate(r, [0, 3, 3, 3])
        #expect(early.state == .pending)
        #expect(early.firstBreach == t(minute: 1))
        #expect(early.duration == .minutes(3))
        // When the fourth breaching sample arrives (3 minutes after the first), then firing
        let late = evaluate(r, [0, 3, 3, 3, 3])
        #expect(late.state == .firing)
        #expect(late.firedAt == t(minute: 4))
        #expect(late.transitions.map(\.state) == [.pending, .firing])
        #expect(late.transitions.map(\.time) == [t(minute: 1), t(minute: 4)])
    }

    @Test("pending that stops holding goes back to normal without firing")
    func pendingAborted() {
        let finding = evaluate(rule(.greaterThan, 2, pendingFor: .minutes(5)), [3, 3, 1, 1])
        #expect(finding.state == .normal)
        #expect(finding.firedAt == nil)
        #expect(finding.transitions.map(\.state) == [.pending, .normal])
    }

    @Test("keep_firing_for holds a firing alert after the condition stops")
    func keepFiring() {
        let r = rule(.greaterThan, 2, keep: .minutes(2))
        // Breaching at minutes 0–1, clear from minute 2: firing through minute 3, resolved at minute 4.
        let held = evaluate(r, [3, 3, 1, 1])
        #expect(held.state == .firing)
        let resolved = evaluate(r, [3, 3, 1, 1, 1])
        #expect(resolved.state == .resolved)
        #expect(resolved.resolvedAt == t(minute: 4))
        #expect(resolved.duration == .minutes(4))
        #expect(resolved.firedAt == t(minute: 0))
    }

    @Test("a finding carries the current value, the peak and the time of the value")
    func valuesAndPeak() {
        let finding = evaluate(rule(.greaterThan, 2), [1, 2.5, 3.7, 2.9])
        #expect(finding.value == 2.9)
        #expect(finding.valueTime == t(minute: 3))
        #expect(finding.peak == 3.7)
        #expect(finding.duration == .minutes(3))  // fired at minute 1, evaluated at minute 4
    }

    // MARK: - No data

    @Test("stale bars at the end give nodata")
    func staleAtEnd() {
        // Last bar at minute 2, evaluated at minute 20: more than 5 bars without data.
        let finding = evaluate(rule(.greaterThan, 2), [3, 3, 3], asOf: t(minute: 20))
        #expect(finding.state == .nodata)
        #expect(finding.transitions.map(\.state) == [.firing, .nodata])
        #expect(finding.transitions.last?.time == t(minute: 8))  // bar 2 closes at 3, + 5 minutes
        #expect(finding.value == 3)
    }

    @Test("a gap in the middle gives nodata, then evaluation resumes")
    func gapInMiddle() {
        var samples = minutes([3, 3])
        samples.append(MetricSample(time: t(minute: 30), value: 1))
        let finding = AlertEvaluator.evaluate(rule(.greaterThan, 2), subject: "X", samples: samples, asOf: t(minute: 31),
                                              barWidth: .minutes(1))
        #expect(finding.transitions.map(\.state) == [.firing, .nodata, .normal])
        #expect(finding.state == .normal)
    }

    @Test("no_data_after overrides the default of five bars")
    func noDataAfter() {
        let finding = evaluate(rule(.greaterThan, 2, noData: .minutes(30)), [1, 1], asOf: t(minute: 20))
        #expect(finding.state == .normal)
    }

    @Test("no defined value at all gives nodata", arguments: [[Double?](), [nil, nil, nil]])
    func noValues(_ values: [Double?]) {
        let finding = evaluate(rule(.greaterThan, 2), values, asOf: end(max(values.count, 1)))
        #expect(finding.state == .nodata)
        #expect(finding.value == nil)
    }

    // MARK: - Continuing from a previous run

    @Test("a firing alert continued by the next run keeps its fired time and does not re-fire")
    func continuesFiring() {
        // Given an earlier run that fired at minute -30
        let previous = AlertState(kind: .firing, activeSince: t(minute: -32), firedAt: t(minute: -30))
        // When the next window still breaches
        let finding = evaluate(rule(.greaterThan, 2), [3, 4], previous: previous)
        // Then it is firing since the old time, with no new transition
        #expect(finding.state == .firing)
        #expect(finding.firedAt == t(minute: -30))
        #expect(finding.firstBreach == t(minute: -32))
        #expect(finding.transitions.isEmpty)
        #expect(finding.duration == .minutes(32))
    }

    @Test("a pending alert continued by the next run fires once the `for` duration is reached")
    func continuesPending() {
        let previous = AlertState(kind: .pending, activeSince: t(minute: -4))
        let finding = evaluate(rule(.greaterThan, 2, pendingFor: .minutes(5)), [3, 3], previous: previous)
        #expect(finding.transitions.map(\.state) == [.firing])
        #expect(finding.firedAt == t(minute: 1))
    }

    @Test("a resolution seen by an earlier run is not reported again")
    func resolvedIsOldNews() {
        let finding = evaluate(rule(.greaterThan, 2), [1, 1], previous: AlertState(kind: .resolved))
        #expect(finding.state == .normal)
        #expect(finding.transitions.isEmpty)
    }

    @Test("a firing alert continued with keep_firing_for counts down from the first clear sample")
    func continuesKeepFiring() {
        let previous = AlertState(kind: .firing, activeSince: t(minute: -10), firedAt: t(minute: -10))
        let r = rule(.greaterThan, 2, keep: .minutes(2))
        #expect(evaluate(r, [1, 1], previous: previous).state == .firing)
        let done = evaluate(r, [1, 1, 1], previous: previous)
        #expect(done.state == .resolved)
        #expect(done.resolvedAt == t(minute: 2))
    }

    @Test("nodata from an earlier run turns back to normal when data returns")
    func continuesNoData() {
        let finding = evaluate(rule(.greaterThan, 2), [1], previous: AlertState(kind: .nodata))
        #expect(finding.transitions.map(\.state) == [.normal])
    }

    @Test("evaluating the same window twice gives the same finding")
    func deterministic() {
        let r = rule(.lessThan, 0.5, clear: 0.6, pendingFor: .minutes(2))
        let values: [Double?] = [0.9, 0.4, 0.45, 0.3, 0.55, 0.7, nil, 0.2]
        #expect(evaluate(r, values) == evaluate(r, values))
    }

    @Test("samples after the evaluation time are ignored")
    func ignoresFuture() {
        let finding = evaluate(rule(.greaterThan, 2), [1, 1, 5], asOf: t(minute: 2))
        #expect(finding.state == .normal)
        #expect(finding.value == 1)
    }
}
