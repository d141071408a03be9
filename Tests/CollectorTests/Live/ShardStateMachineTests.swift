@testable import Collector
import Market
import PairbookTestSupport
import Testing

@Suite("ShardStateMachine")
struct ShardStateMachineTests {
    typealias Machine = ShardStateMachine<ManualClock>

    static let t0 = ManualClock.Instant(offset: .zero)

    /// Backoff without jitter (0.5 s, 1 s, …), a 20 s connect timeout, rotation after 1 h with a 5 s overlap.
    static func machine() -> Machine {
        let configuration = BinanceStreamConfiguration(
            symbols: ["BTCUSDT", "ETHUSDT"], watchdogTimeout: .seconds(30),
            reconnect: ReconnectPolicy(initialDelay: .milliseconds(500), maximumDelay: .seconds(30), jitter: 0, healthyAfter: .seconds(60)),
            rotation: RotationPolicy(rotateAfter: .seconds(3600), overlap: .seconds(5), replacementTimeout: .seconds(30), retryDelay: .seconds(60)),
            connectTimeout: .seconds(20))
        return Machine(configuration: configuration)
    }

    static func at(_ offset: Duration) -> ManualClock.Instant { t0.advanced(by: offset) }

    /// A machine whose primary (1) opened at t0 and whose replacement (2) opened at 1 h.
    static func rotating() -> Machine {
        var machine = machine()
        _ = machine.start(at: t0)
        _ = machine.connectionOpened(1, at: t0)
        _ = machine.check(at: at(.seconds(3600)), stalled: [])
        _ = machine.connectionOpened(2, at: at(.seconds(3600)))
        return machine
    }

    @Test("the first connection opens at start with the first check scheduled; opened, it is the primary")
    func start() {
        var machine = Self.machine()
        #expect(machine.start(at: Self.t0) == [.open(1, .initial), .scheduleCheck(at: Self.at(.milliseconds(250)))])
        #expect(machine.connectionOpened(1, at: Self.t0) == [.track(1, .primary)])
        #expect(machine.check(at: Self.at(.milliseconds(250)), stalled: []) == [.scheduleCheck(at: Self.at(.milliseconds(500)))])
        #expect(machine.primary == 1 && machine.replacement == nil)
    }

    @Test("a closed primary reconnects after the backoff; a hanging connect is closed after the connect timeout and retried later")
    func reconnect() {
        var machine = Self.machine()
        var random = SplitMix64(seed: 7)
        _ = machine.start(at: Self.t0)
        _ = machine.connectionOpened(1, at: Self.t0)
        // When the primary closes, then it is forgotten and a reconnect is due in 0.5 s
        #expect(machine.connectionClosed(1, reason: "reset", at: Self.t0, using: &random) == [
            .untrack(1, wasOpen: true), .report(.reconnecting(closed: 1, reason: "reset", retryIn: .milliseconds(500), attempt: 1)),
        ])
        #expect(machine.check(at: Self.at(.milliseconds(400)), stalled: []) == [.scheduleCheck(at: Self.at(.milliseconds(650)))])
        #expect(machine.check(at: Self.at(.milliseconds(500)), stalled: []) == [
            .open(2, .reconnect), .scheduleCheck(at: Self.at(.milliseconds(750))),
        ])
        // When connection 2 never opens, then it is closed after 20 s and the next attempt waits twice as long
        #expect(machine.check(at: Self.at(.milliseconds(20_499)), stalled: []).first == .scheduleCheck(at: Self.at(.milliseconds(20_749))))
        #expect(machine.check(at: Self.at(.milliseconds(20_500)), stalled: []) == [
            .close(2, .connectTimedOut), .scheduleCheck(at: Self.at(.milliseconds(20_750))),
        ])
        #expect(machine.connectionClosed(2, reason: nil, at: Self.at(.seconds(21)), using: &random) == [
            .untrack(2, wasOpen: false), .report(.reconnecting(closed: 2, reason: nil, retryIn: .seconds(1), attempt: 2)),
        ])
        #expect(machine.check(at: Self.at(.seconds(22)), stalled: []).first == .open(3, .reconnect))
    }

    @Test("retries before the first connection ever opened are not reconnects")
    func firstConnectRetried() {
        var machine = Self.machine()
        var random = SplitMix64(seed: 7)
        _ = machine.start(at: Self.t0)
        #expect(machine.check(at: Self.at(.seconds(20)), stalled: []).first == .close(1, .connectTimedOut))
        _ = machine.connectionClosed(1, reason: "timed out", at: Self.at(.seconds(20)), using: &random)
        #expect(machine.check(at: Self.at(.seconds(21)), stalled: []).first == .open(2, .initial))
    }

    @Test("stalled symbols close their connection when it is open; a stall of a connection already gone is ignored")
    func stall() {
        var machine = Self.machine()
        _ = machine.start(at: Self.t0)
        _ = machine.connectionOpened(1, at: Self.t0)
        let stalls = [Machine.Stall(connection: 1, symbols: ["ETHUSDT"], silentFor: .seconds(31)),
                      Machine.Stall(connection: 9, symbols: ["BTCUSDT"], silentFor: .seconds(31))]
        #expect(machine.check(at: Self.at(.seconds(31)), stalled: stalls) == [
            .close(1, .stalled(["ETHUSDT"], silentFor: .seconds(31))), .scheduleCheck(at: Self.at(.milliseconds(31_250))),
        ])
    }

    @Test("rotation: replacement at the age limit, overlap from its first message, switch once the old connection caught up")
    func rotation() {
        var machine = Self.machine()
        var random = SplitMix64(seed: 7)
        _ = machine.start(at: Self.t0)
        _ = machine.connectionOpened(1, at: Self.t0)
        // When the primary is 1 h old, then a replacement opens
        #expect(machine.check(at: Self.at(.seconds(3599)), stalled: []).count == 1)
        #expect(machine.check(at: Self.at(.seconds(3600)), stalled: []) == [
            .report(.rotationStarted(primary: 1)), .open(2, .replacement), .scheduleCheck(at: Self.at(.milliseconds(3_600_250))),
        ])
        #expect(machine.connectionOpened(2, at: Self.at(.seconds(3600))) == [.track(2, .replacement)])
        // And the overlap counts from its first message
        #expect(machine.connectionReceiving(2, at: Self.at(.seconds(3601))) == [.report(.overlapStarted(2))])
        #expect(machine.connectionReceiving(2, at: Self.at(.seconds(3601))) == [])
        #expect(machine.connectionReceiving(1, at: Self.at(.seconds(3601))) == [])
        #expect(machine.check(at: Self.at(.seconds(3605)), stalled: []) == [.scheduleCheck(at: Self.at(.milliseconds(3_605_250)))])
        // When the overlap has passed, then the replacement takes over unless the old connection is behind
        #expect(machine.check(at: Self.at(.seconds(3606)), stalled: []).first == .takeOver(2, from: 1, force: false))
        #expect(machine.takeOverFinished(succeeded: false, at: Self.at(.seconds(3606))) == [])
        #expect(machine.primary == 1)
        #expect(machine.check(at: Self.at(.seconds(3607)), stalled: []).first == .takeOver(2, from: 1, force: false))
        _ = machine.takeOverFinished(succeeded: false, at: Self.at(.seconds(3607)))
        // And ten overlaps after the switch was due it is forced
        #expect(machine.check(at: Self.at(.seconds(3655)), stalled: []).first == .takeOver(2, from: 1, force: false))
        _ = machine.takeOverFinished(succeeded: false, at: Self.at(.seconds(3655)))
        #expect(machine.check(at: Self.at(.seconds(3656)), stalled: []).first == .takeOver(2, from: 1, force: true))
        #expect(machine.takeOverFinished(succeeded: true, at: Self.at(.seconds(3656))) == [
            .close(1, .rotatedOut), .report(.rotationComplete(primary: 2)),
        ])
        #expect(machine.primary == 2 && machine.replacement == nil)
        // Then the old primary's close starts nothing, and no further switch is attempted
        #expect(machine.connectionClosed(1, reason: "closed by collector", at: Self.at(.seconds(3657)), using: &random) == [
            .untrack(1, wasOpen: true),
        ])
        #expect(machine.check(at: Self.at(.seconds(3658)), stalled: []) == [.scheduleCheck(at: Self.at(.milliseconds(3_658_250)))])
    }

    @Test("the primary closing mid-rotation: an open replacement takes over at once, forced; one still connecting is closed")
    func primaryClosedDuringRotation() {
        var random = SplitMix64(seed: 7)
        var open = Self.rotating()
        #expect(open.connectionClosed(1, reason: "reset", at: Self.at(.seconds(3601)), using: &random) == [
            .untrack(1, wasOpen: true), .takeOver(2, from: nil, force: true),
        ])
        #expect(open.takeOverFinished(succeeded: true, at: Self.at(.seconds(3601))) == [.report(.replacementTookOver(closed: 1, reason: "reset"))])
        #expect(open.primary == 2 && open.replacement == nil)
        // The new primary's age counts from the take-over
        #expect(open.check(at: Self.at(.seconds(7200)), stalled: []).count == 1)
        #expect(open.check(at: Self.at(.seconds(7201)), stalled: []).prefix(2) == [.report(.rotationStarted(primary: 2)), .open(3, .replacement)])

        var connecting = Self.machine()
        _ = connecting.start(at: Self.t0)
        _ = connecting.connectionOpened(1, at: Self.t0)
        _ = connecting.check(at: Self.at(.seconds(3600)), stalled: [])
        #expect(connecting.connectionClosed(1, reason: nil, at: Self.at(.seconds(3601)), using: &random) == [
            .untrack(1, wasOpen: true), .close(2, .primaryClosed),
            .report(.reconnecting(closed: 1, reason: nil, retryIn: .milliseconds(500), attempt: 1)),
        ])
        #expect(connecting.connectionClosed(2, reason: nil, at: Self.at(.seconds(3601)), using: &random) == [.untrack(2, wasOpen: false)])
        #expect(connecting.check(at: Self.at(.milliseconds(3_601_500)), stalled: []).first == .open(3, .reconnect))
    }

    @Test("a replacement that fails or delivers nothing is dropped; the primary stays and the rotation is retried")
    func failedReplacement() {
        var random = SplitMix64(seed: 7)
        var machine = Self.rotating()
        #expect(machine.connectionClosed(2, reason: "refused", at: Self.at(.seconds(3601)), using: &random) == [
            .untrack(2, wasOpen: true), .report(.replacementFailed(2, reason: "refused")),
        ])
        #expect(machine.primary == 1 && machine.replacement == nil)
        #expect(machine.check(at: Self.at(.seconds(3660)), stalled: []).count == 1)
        #expect(machine.check(at: Self.at(.seconds(3661)), stalled: []).prefix(2) == [.report(.rotationStarted(primary: 1)), .open(3, .replacement)])
        _ = machine.connectionOpened(3, at: Self.at(.seconds(3661)))
        // When replacement 3 is silent for the replacement timeout, then it is closed and the primary kept
        #expect(machine.check(at: Self.at(.seconds(3691)), stalled: []) == [
            .close(3, .replacementSilent), .scheduleCheck(at: Self.at(.milliseconds(3_691_250))),
        ])
        #expect(machine.primary == 1 && machine.replacement == nil)
        #expect(machine.connectionClosed(3, reason: nil, at: Self.at(.seconds(3692)), using: &random) == [.untrack(3, wasOpen: true)])
    }
}
