import Alerts
import Market
import Testing

@Suite("Finding continuation")
struct FindingContinuationTests {
    static let t0 = Timestamp(milliseconds: 1_704_067_200_000)
    static func t(_ minute: Int64) -> Timestamp { t0 + .minutes(minute) }

    func finding(_ state: AlertStateKind, firedAt: Timestamp?, transitions: [AlertTransition]) -> Finding {
        Finding(rule: "r", metric: .zScore, condition: .greaterThan, threshold: 2, clearThreshold: 2, subject: "A/B",
                severity: .warning, state: state, firstBreach: firedAt, firedAt: firedAt, duration: firedAt.map { Self.t(60) - $0 },
                breachCount: 1, fingerprint: "f", summary: "", transitions: transitions)
    }

    @Test("an episode re-detected a bar earlier keeps the stored fired time and stores nothing new")
    func sameEpisode() {
        let stored = [AlertTransition(state: .firing, time: Self.t(11), value: 3)]
        let f = finding(.firing, firedAt: Self.t(10), transitions: [AlertTransition(state: .firing, time: Self.t(10), value: 3)])
        let c = f.continuing(stored, asOf: Self.t(60))
        #expect(c.firedAt == Self.t(11))
        #expect(c.transitions.isEmpty)
        #expect(c.duration == .minutes(49))
    }

    @Test("an episode that ended and fired again after the stored transition is a new firing")
    func newEpisode() {
        let stored = [AlertTransition(state: .firing, time: Self.t(11), value: 3)]
        let f = finding(.firing, firedAt: Self.t(40), transitions: [
            AlertTransition(state: .firing, time: Self.t(10), value: 3), AlertTransition(state: .resolved, time: Self.t(20), value: 1),
            AlertTransition(state: .firing, time: Self.t(40), value: 3),
        ])
        let c = f.continuing(stored, asOf: Self.t(60))
        #expect(c.firedAt == Self.t(40))
        #expect(c.transitions.map(\.state) == [.firing, .resolved, .firing])
    }

    @Test("stored transitions are not repeated; no history changes nothing")
    func dedupe() {
        let f = finding(.normal, firedAt: nil, transitions: [AlertTransition(state: .pending, time: Self.t(5), value: 3),
                                                             AlertTransition(state: .normal, time: Self.t(6), value: 1)])
        #expect(f.continuing([], asOf: Self.t(60)) == f)
        let c = f.continuing([AlertTransition(state: .pending, time: Self.t(5), value: 3)], asOf: Self.t(60))
        #expect(c.transitions.map(\.state) == [.normal])
    }
}
