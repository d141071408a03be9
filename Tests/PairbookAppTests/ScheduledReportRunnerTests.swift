import Alerts
import Market
import PairbookApp
import Testing

@Suite("ScheduledReportRunner: the report-run policy of pairbook run")
struct ScheduledReportRunnerTests {
    static let slot = Timestamp(milliseconds: 1_700_000_000_000)
    static let previous = slot - .hours(1)

    static func finding(_ rule: String, _ transitions: [(AlertStateKind, Timestamp)]) -> Finding {
        Finding(rule: rule, metric: .zScore, condition: .greaterThan, threshold: 2, clearThreshold: 2, subject: "BTCUSDT/ETHUSDT",
                severity: .warning, state: transitions.last?.0 ?? .normal, breachCount: 0, fingerprint: rule, summary: "",
                transitions: transitions.map { AlertTransition(state: $0.0, time: $0.1, value: 3) })
    }

    @Test("a trigger is a transition to firing after the previous slot and up to this one, counted per rule")
    func newTriggers() {
        let findings = [
            // Fired in the previous interval and still firing: already counted by the run that saw it first.
            Self.finding("old", [(.pending, Self.previous - .minutes(10)), (.firing, Self.previous - .minutes(5))]),
            // Fired exactly at the previous slot: that run counted it.
            Self.finding("edge", [(.firing, Self.previous)]),
            // Fired twice in this interval (resolved between), once exactly at this slot.
            Self.finding("new", [(.firing, Self.previous + .minutes(1)), (.resolved, Self.previous + .minutes(2)), (.firing, Self.slot)]),
            // Fires after the slot (a window that runs past it): the next run counts it.
            Self.finding("later", [(.firing, Self.slot + .minutes(1))]),
            Self.finding("quiet", [(.pending, Self.previous + .minutes(3)), (.normal, Self.previous + .minutes(4))]),
        ]
        #expect(ScheduledReportRunner.newTriggers(in: findings, after: Self.previous, through: Self.slot) == ["new": 2])
    }
}
