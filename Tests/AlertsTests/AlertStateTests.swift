import Alerts
import Market
import Testing

@Suite("AlertState")
struct AlertStateTests {
    private static let t = Timestamp(milliseconds: 1_700_000_000_000)

    @Test("rebuilding from stored transitions", arguments: [
        ([AlertTransition](), AlertState.initial),
        ([AlertTransition(state: .pending, time: t, value: 3)], AlertState(kind: .pending, activeSince: t)),
        ([AlertTransition(state: .pending, time: t, value: 3), AlertTransition(state: .firing, time: t + .minutes(5), value: 3)],
         AlertState(kind: .firing, activeSince: t, firedAt: t + .minutes(5))),
        ([AlertTransition(state: .firing, time: t + .minutes(5), value: 3), AlertTransition(state: .pending, time: t, value: 3)],
         AlertState(kind: .firing, activeSince: t, firedAt: t + .minutes(5))),
        ([AlertTransition(state: .firing, time: t, value: 3)], AlertState(kind: .firing, activeSince: t, firedAt: t)),
        ([AlertTransition(state: .firing, time: t, value: 3), AlertTransition(state: .resolved, time: t + .hours(1), value: 1)],
         AlertState(kind: .resolved)),
        ([AlertTransition(state: .nodata, time: t, value: nil)], AlertState(kind: .nodata)),
    ])
    func rebuild(_ transitions: [AlertTransition], _ expected: AlertState) {
        #expect(AlertState(continuingFrom: transitions) == expected)
    }

    @Test("the transitions of one run continue correctly in the next")
    func roundTrip() {
        // Given a first window in which the alert went pending and then firing
        let rule = AlertRule(name: "wide", metric: .zScore, condition: .greaterThan, threshold: 2, pendingFor: .minutes(2))
        let first = (0..<5).map { MetricSample(time: Self.t + .minutes(Int64($0)), value: $0 >= 1 ? 3 : 0) }
        let run1 = AlertEvaluator.evaluate(rule, subject: "A/B", samples: first, asOf: Self.t + .minutes(5), barWidth: .minutes(1))
        #expect(run1.state == .firing)
        // When the next window starts from the stored transitions
        let state = AlertState(continuingFrom: run1.transitions)
        let second = (5..<8).map { MetricSample(time: Self.t + .minutes(Int64($0)), value: 3) }
        let run2 = AlertEvaluator.evaluate(rule, subject: "A/B", samples: second, asOf: Self.t + .minutes(8),
                                           barWidth: .minutes(1), previous: state)
        // Then the alert is still firing since the first run, with nothing new to store
        #expect(run2.state == .firing)
        #expect(run2.firedAt == run1.firedAt)
        #expect(run2.firstBreach == Self.t + .minutes(1))
        #expect(run2.transitions.isEmpty)
    }

    @Test("findings are listed firing first, then by severity")
    func ordering() {
        func finding(_ rule: String, _ state: AlertStateKind, _ severity: AlertSeverity) -> Finding {
            Finding(rule: rule, metric: .zScore, condition: .greaterThan, threshold: 1, clearThreshold: 1, subject: "A/B",
                    severity: severity, state: state, breachCount: 0, fingerprint: "", summary: "", transitions: [])
        }
        let sorted = [finding("a", .normal, .critical), finding("b", .firing, .info), finding("c", .firing, .critical),
                      finding("d", .pending, .warning)].sortedForDisplay()
        #expect(sorted.map(\.rule) == ["c", "b", "d", "a"])
    }
}
