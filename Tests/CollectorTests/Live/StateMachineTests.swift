import Collector
import Market
import PairbookTestSupport
import Storage
import Testing

@Suite("ReconnectStateMachine")
struct ReconnectStateMachineTests {
    let policy = ReconnectPolicy(initialDelay: .milliseconds(500), maximumDelay: .seconds(30), multiplier: 2, jitter: 0.5,
                                 healthyAfter: .seconds(60))

    @Test("delays double per failure, are jittered down by at most half, and stop at the cap")
    func backoff() {
        let clock = ManualClock()
        var machine = ReconnectStateMachine<ManualClock>(policy: policy)
        var random = SplitMix64(seed: 42)
        var delays: [Duration] = []
        for _ in 0..<10 {
            machine.connecting()
            guard case .reconnect(let at, _) = machine.connectionClosed(at: clock.now, using: &random) else {
                Issue.record("expected a reconnect")
                return
            }
            delays.append(clock.now.duration(to: at))
            clock.advance(by: clock.now.duration(to: at))
        }
        let bases: [Duration] = [.milliseconds(500), .seconds(1), .seconds(2), .seconds(4), .seconds(8), .seconds(16),
                                 .seconds(30), .seconds(30), .seconds(30), .seconds(30)]
        for (delay, base) in zip(delays, bases) {
            #expect(delay <= base && delay >= base / 2, "\(delay) vs \(base)")
        }
        #expect(Set(delays).count > 5, "jitter makes delays differ")
        #expect(machine.failures == 10)
    }

    @Test("a connection that stayed up for the healthy period resets the backoff")
    func resetAfterHealthyPeriod() {
        let clock = ManualClock()
        var machine = ReconnectStateMachine<ManualClock>(policy: ReconnectPolicy(jitter: 0))
        var random = SplitMix64(seed: 1)
        // Given three quick failures
        for _ in 0..<3 { _ = machine.connectionClosed(at: clock.now, using: &random) }
        #expect(machine.failures == 3)
        // When a connection then lives 61 s and drops
        machine.connectionOpened(at: clock.now)
        clock.advance(by: .seconds(61))
        let action = machine.connectionClosed(at: clock.now, using: &random)
        // Then the next delay is the initial one again
        #expect(action == .reconnect(at: clock.now.advanced(by: .milliseconds(500)), attempt: 1))
    }

    @Test("a short-lived connection does not reset the backoff")
    func noResetWhenUnhealthy() {
        let clock = ManualClock()
        var machine = ReconnectStateMachine<ManualClock>(policy: ReconnectPolicy(jitter: 0))
        var random = SplitMix64(seed: 1)
        for _ in 0..<2 { _ = machine.connectionClosed(at: clock.now, using: &random) }
        machine.connectionOpened(at: clock.now)
        clock.advance(by: .seconds(5))
        #expect(machine.connectionClosed(at: clock.now, using: &random) == .reconnect(at: clock.now.advanced(by: .seconds(2)), attempt: 3))
    }

    @Test("after stop nothing reconnects")
    func stop() {
        let clock = ManualClock()
        var machine = ReconnectStateMachine<ManualClock>()
        var random = SplitMix64(seed: 1)
        machine.stop()
        #expect(machine.connectionClosed(at: clock.now, using: &random) == .none)
    }
}

@Suite("WatchdogStateMachine")
struct WatchdogStateMachineTests {
    @Test("a symbol silent for the timeout on an open connection is reported once; others keep it alive")
    func perSymbolSilence() {
        let clock = ManualClock()
        var watchdog = WatchdogStateMachine<ManualClock>(symbols: ["BTCUSDT", "ETHUSDT"], timeout: .seconds(30), startedAt: clock.now)
        // Given BTC trading every 10 s and ETH silent
        for _ in 0..<2 {
            clock.advance(by: .seconds(10))
            watchdog.frameReceived(for: "BTCUSDT", at: clock.now)
            #expect(watchdog.check(at: clock.now) == .healthy)
        }
        // When 30 s have passed since the connection opened
        clock.advance(by: .seconds(10))
        watchdog.frameReceived(for: "BTCUSDT", at: clock.now)
        // Then ETH is stalled, once
        #expect(watchdog.check(at: clock.now) == .stalled(["ETHUSDT"], silentFor: .seconds(30)))
        clock.advance(by: .seconds(30))
        #expect(watchdog.check(at: clock.now) == .healthy)
    }

    @Test("all symbols silent: every one is named, sorted")
    func allSilent() {
        let clock = ManualClock()
        var watchdog = WatchdogStateMachine<ManualClock>(symbols: ["ETHUSDT", "BTCUSDT"], timeout: .seconds(5), startedAt: clock.now)
        clock.advance(by: .seconds(4))
        #expect(watchdog.check(at: clock.now) == .healthy)
        clock.advance(by: .seconds(2))
        #expect(watchdog.check(at: clock.now) == .stalled(["BTCUSDT", "ETHUSDT"], silentFor: .seconds(6)))
    }

    @Test("frames of symbols not watched do not count")
    func unwatchedSymbol() {
        let clock = ManualClock()
        var watchdog = WatchdogStateMachine<ManualClock>(symbols: ["BTCUSDT"], timeout: .seconds(5), startedAt: clock.now)
        clock.advance(by: .seconds(5))
        watchdog.frameReceived(for: "ETHUSDT", at: clock.now)
        #expect(watchdog.check(at: clock.now) == .stalled(["BTCUSDT"], silentFor: .seconds(5)))
    }
}

@Suite("RotationStateMachine")
struct RotationStateMachineTests {
    let policy = RotationPolicy(rotateAfter: .seconds(3600), overlap: .seconds(5), replacementTimeout: .seconds(30), retryDelay: .seconds(60))

    @Test("rotation: replacement opened at the age limit, old closed after the overlap, next rotation a full period later")
    func fullRotation() {
        let clock = ManualClock()
        var machine = RotationStateMachine<ManualClock>(policy: policy)
        machine.primaryOpened(at: clock.now)
        clock.advance(by: .seconds(3599))
        #expect(machine.check(at: clock.now) == .none)
        clock.advance(by: .seconds(1))
        #expect(machine.check(at: clock.now) == .openReplacement)
        #expect(machine.check(at: clock.now) == .none, "asks once")
        clock.advance(by: .seconds(2))
        machine.replacementReceiving(at: clock.now)
        clock.advance(by: .seconds(4))
        #expect(machine.check(at: clock.now) == .none, "old connection kept during the overlap")
        clock.advance(by: .seconds(1))
        #expect(machine.check(at: clock.now) == .closeOldPrimary)
        // The new primary started delivering 5 s ago: it rotates 3600 s after that.
        clock.advance(by: .seconds(3594))
        #expect(machine.check(at: clock.now) == .none)
        clock.advance(by: .seconds(1))
        #expect(machine.check(at: clock.now) == .openReplacement)
    }

    @Test("a replacement that never delivers is abandoned and retried later")
    func silentReplacement() {
        let clock = ManualClock()
        var machine = RotationStateMachine<ManualClock>(policy: policy)
        machine.primaryOpened(at: clock.now)
        clock.advance(by: .seconds(3600))
        #expect(machine.check(at: clock.now) == .openReplacement)
        clock.advance(by: .seconds(30))
        #expect(machine.check(at: clock.now) == .abandonReplacement)
        clock.advance(by: .seconds(59))
        #expect(machine.check(at: clock.now) == .none)
        clock.advance(by: .seconds(1))
        #expect(machine.check(at: clock.now) == .openReplacement)
    }

    @Test("a failed replacement is retried after the retry delay; a closed primary stops rotation")
    func failedReplacement() {
        let clock = ManualClock()
        var machine = RotationStateMachine<ManualClock>(policy: policy)
        machine.primaryOpened(at: clock.now)
        clock.advance(by: .seconds(3600))
        #expect(machine.check(at: clock.now) == .openReplacement)
        machine.replacementFailed(at: clock.now)
        clock.advance(by: .seconds(60))
        #expect(machine.check(at: clock.now) == .openReplacement)
        machine.primaryClosed()
        clock.advance(by: .seconds(10_000))
        #expect(machine.check(at: clock.now) == .none)
    }
}

@Suite("GapDetector")
struct GapDetectorTests {
    let t0 = Timestamp(milliseconds: 1_721_347_200_000)

    @Test("consecutive ids pass, repeated or older ids are duplicates, a jump is a gap with both ends")
    func sequence() {
        var detector = GapDetector()
        let now = t0 + .seconds(60)
        #expect(detector.observe("BTCUSDT", tradeID: 10, time: t0, detectedAt: now) == .inSequence)
        #expect(detector.observe("BTCUSDT", tradeID: 11, time: t0 + .seconds(1), detectedAt: now) == .inSequence)
        #expect(detector.observe("BTCUSDT", tradeID: 11, time: t0 + .seconds(1), detectedAt: now) == .duplicate)
        #expect(detector.observe("BTCUSDT", tradeID: 5, time: t0, detectedAt: now) == .duplicate)
        #expect(detector.observe("BTCUSDT", tradeID: 15, time: t0 + .seconds(9), detectedAt: now) == .afterGap(
            StreamGap(symbol: "BTCUSDT", fromTradeID: 11, toTradeID: 15, fromTime: t0 + .seconds(1), toTime: t0 + .seconds(9), detectedAt: now)))
        #expect(detector.observe("BTCUSDT", tradeID: 16, time: t0 + .seconds(9), detectedAt: now) == .inSequence)
        #expect(detector.lastTradeID(of: "BTCUSDT") == 16)
    }

    @Test("one absurd id does not make every later trade a duplicate; no arithmetic traps at the ends of Int64")
    func absurdID() {
        // Given a symbol whose sequence received an absurd id (2^63-1)
        var detector = GapDetector()
        #expect(detector.observe("BTCUSDT", tradeID: 10, time: t0, detectedAt: t0) == .inSequence)
        guard case .afterGap(let gap) = detector.observe("BTCUSDT", tradeID: .max, time: t0 + TimeSpan(milliseconds: 1), detectedAt: t0) else {
            Issue.record("expected a gap")
            return
        }
        #expect(gap.missingTrades == .max - 11)
        // When the real trades go on, then they are new again (the sequence restarts at the first later one)
        #expect(detector.observe("BTCUSDT", tradeID: 11, time: t0 + TimeSpan(milliseconds: 2), detectedAt: t0) == .sequenceRestarted)
        #expect(detector.observe("BTCUSDT", tradeID: 12, time: t0 + TimeSpan(milliseconds: 3), detectedAt: t0) == .inSequence)
        #expect(detector.observe("BTCUSDT", tradeID: 12, time: t0 + TimeSpan(milliseconds: 3), detectedAt: t0) == .duplicate)
        // And ids at both ends of Int64 give a saturated gap size, not a trap
        detector.seed("ETHUSDT", lastTradeID: .min, at: t0)
        guard case .afterGap(let wide) = detector.observe("ETHUSDT", tradeID: .max, time: t0, detectedAt: t0) else {
            Issue.record("expected a gap")
            return
        }
        #expect(wide.missingTrades == .max)
        #expect(StreamGap(symbol: "ETHUSDT", fromTradeID: 5, toTradeID: 3, fromTime: t0, toTime: t0, detectedAt: t0).missingTrades == 0)
    }

    @Test("symbols are tracked independently; a seed makes a restart detect the hole since the last stored trade")
    func symbolsAndSeed() {
        var detector = GapDetector()
        detector.seed("ETHUSDT", lastTradeID: 100, at: t0)
        #expect(detector.observe("BTCUSDT", tradeID: 1, time: t0, detectedAt: t0) == .inSequence)
        guard case .afterGap(let gap) = detector.observe("ETHUSDT", tradeID: 103, time: t0 + .seconds(3), detectedAt: t0) else {
            Issue.record("expected a gap")
            return
        }
        #expect(gap.missingTrades == 2)
        #expect(detector.observe("BTCUSDT", tradeID: 2, time: t0, detectedAt: t0) == .inSequence)
    }
}

@Suite("LatencyHistogram")
struct LatencyHistogramTests {
    @Test("quantiles within 3.2 % of the exact value; max exact")
    func quantiles() throws {
        var histogram = LatencyHistogram()
        for ms in 1...1000 { histogram.record(.milliseconds(ms)) }
        let p50 = try #require(histogram.quantile(0.5))
        let p99 = try #require(histogram.quantile(0.99))
        #expect(p50 >= .milliseconds(500) && p50 <= .microseconds(516_000))
        #expect(p99 >= .milliseconds(990) && p99 <= .microseconds(1_021_680))
        #expect(histogram.max == .milliseconds(1000))
        #expect(histogram.count == 1000)
        #expect(LatencyHistogram().quantile(0.5) == nil)
    }
}
