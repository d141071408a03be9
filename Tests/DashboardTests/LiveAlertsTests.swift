import Alerts
import Analytics
import Foundation
import Market
import ReportEngine
import Storage
import Testing

@testable import Dashboard

struct LiveAlertsTests {
    @Test("a dashboard rule is evaluated on a bar close: the transition is stored and published, the row of analytics too")
    func firesOnBarClose() async throws {
        // Given a rule whose threshold the newest bar's z-score crosses (computed as the evaluator does: the rule's
        // window over 4 windows + 200 bars of history)
        let store = try storeWithBars()
        let (base, quote) = syntheticBars()
        let history = 4 * 30 + 200
        let expected = try PairAnalysis.compute(
            base: BarSeries(symbol: "BTCUSDT", timeframe: .oneMinute, bars: Array(base.suffix(history))),
            quote: BarSeries(symbol: "ETHUSDT", timeframe: .oneMinute, bars: Array(quote.suffix(history))), options: .init(window: 30))
        let z = try #require(expected.series.zScore.last ?? nil)
        let condition = z >= 0 ? ">" : "<"
        let threshold = z >= 0 ? z - 0.01 : z + 0.01
        let rule = try DashboardRule.decode(Data("""
            {"name":"live z","metric":"z_score","condition":"\(condition)","threshold":\(threshold),"pair":"BTCUSDT/ETHUSDT","window":30}
            """.utf8))
        _ = try store.insertAlertRule(name: "live z", definition: rule.definition, enabled: true, at: dayStart)
        let hub = EventHub()
        let events = hub.subscribe(after: nil)
        let alerts = LiveAlerts(store: store, hub: hub, scripts: [], logger: quietLogger)
        let last = try #require(base.last)

        // When the newest bar closes
        alerts.evaluate([LiveFeed.ClosedBar(symbol: "BTCUSDT", timeframe: .oneMinute, bar: last)])

        // Then the rule fires at that bar, once
        let stored = try store.alertEvents(in: .all)
        #expect(stored.map(\.state) == ["firing"])
        #expect(stored.first?.time == last.openTime)
        #expect(stored.first?.value == z)
        hub.finishAll()
        var names: [String] = []
        var alertData = ""
        for await event in events {
            names.append(event.name)
            if event.name == "alert" { alertData = event.data }
        }
        #expect(names.sorted() == ["alert", "analytics"])
        #expect(alertData.contains("\"state\":\"firing\"") && alertData.contains("\"notify\":true"))
        let row = try store.analyticsResults(symbolPair: "BTCUSDT/ETHUSDT", timeframe: .oneMinute, in: .all)
        #expect(row.map(\.time) == [last.openTime])
        #expect(row.first?.zScore == z)

        // And the same close seen again changes nothing
        alerts.evaluate([LiveFeed.ClosedBar(symbol: "ETHUSDT", timeframe: .oneMinute, bar: last)])
        #expect(try store.alertEvents(in: .all).count == 1)
    }

    @Test("a disabled rule, or one on another timeframe, is not evaluated")
    func skipped() throws {
        let store = try storeWithBars()
        let disabled = try DashboardRule.decode(Data(#"{"name":"off","metric":"close","condition":">","threshold":0,"symbol":"BTCUSDT"}"#.utf8))
        _ = try store.insertAlertRule(name: "off", definition: disabled.definition, enabled: false, at: dayStart)
        let other = try DashboardRule.decode(Data(#"{"name":"5m","metric":"close","condition":">","threshold":0,"symbol":"BTCUSDT","timeframe":"5m"}"#.utf8))
        _ = try store.insertAlertRule(name: "5m", definition: other.definition, enabled: true, at: dayStart)
        let alerts = LiveAlerts(store: store, hub: EventHub(), scripts: [], logger: quietLogger)
        let last = try #require(syntheticBars().base.last)
        alerts.evaluate([LiveFeed.ClosedBar(symbol: "BTCUSDT", timeframe: .oneMinute, bar: last)])
        #expect(try store.alertEvents(in: .all).isEmpty)
    }

    @Test("a newly firing rule is handed to the delivery once within its cooldown, and again after it",
          .timeLimit(.minutes(1)), arguments: [RuleSource.dashboard, .script])
    func deliveryHonoursCooldown(source: RuleSource) async throws {
        // Given a rule on BTCUSDT's close with a 15-minute cooldown (made on the dashboard, or in a report script's
        // front matter), and bars after the stored day that cross it, fall back, cross again 2 minutes later, and
        // again 21 minutes later
        let store = try storeWithBars()
        var scripts: [ReportScript] = []
        switch source {
        case .dashboard:
            let rule = try DashboardRule.decode(Data(#"{"name":"spike","metric":"close","condition":">","threshold":100000,"symbol":"BTCUSDT","cooldown":"15m"}"#.utf8))
            _ = try store.insertAlertRule(name: "spike", definition: rule.definition, enabled: true, at: dayStart)
        case .script:
            scripts = [try ReportScript(text: """
                ---
                title: spikes
                params: { base: BTCUSDT, quote: ETHUSDT, timeframe: 1m }
                on_trigger: "true"
                alerts:
                  - { name: spike, metric: close, condition: ">", threshold: 100000, symbol: BTCUSDT, cooldown: 15m }
                ---
                # Spikes
                """, path: "spikes.md")]
        }
        let dayEnd = dayStart + TimeSpan(milliseconds: 86_400_000)
        let closes: [(minute: Int64, close: Double)] = [(0, 200_000), (1, 10), (2, 200_000), (20, 10), (21, 200_000)]
        let bars = closes.map { m, close in
            Bar(openTime: dayEnd + TimeSpan(milliseconds: m * 60_000), open: close, high: close, low: close, close: close, volume: 1,
                quoteVolume: close, trades: 1, takerBuyVolume: 0.5)
        }
        try await store.write { tx in try tx.upsert(contentsOf: bars, of: "BTCUSDT", timeframe: .oneMinute) }
        let delivery = RecordingDelivery()
        let alerts = LiveAlerts(store: store, hub: EventHub(), scripts: scripts, delivery: delivery, logger: quietLogger)

        // When each bar closes in turn while the alerts service runs
        let delivered = await withTaskGroup(of: Void.self) { group in
            group.addTask { await alerts.run() }
            for bar in bars { await alerts.barsClosed([LiveFeed.ClosedBar(symbol: "BTCUSDT", timeframe: .oneMinute, bar: bar)]) }
            var received: [AlertFiring] = []
            for await firing in delivery.stream {
                received.append(firing)
                if received.count == 2 { break }
            }
            group.cancelAll()
            return received
        }

        // Then the first firing and the one after the cooldown are delivered, the one 2 minutes later is not
        #expect(delivered.map(\.time) == [bars[0].openTime, bars[4].openTime])
        #expect(delivered.first?.rule == "spike" && delivered.first?.subject == "BTCUSDT" && delivered.first?.value == 200_000)
        switch source {
        case .dashboard: #expect(delivered.first?.ruleID.hasPrefix("db:") == true && delivered.first?.onTrigger == nil)
        case .script: #expect(delivered.first?.ruleID == "script:spikes:spike" && delivered.first?.onTrigger == "true")
        }
        // And every firing was still stored and published
        #expect(try store.alertEvents(in: .all).filter { $0.state == "firing" }.count == 3)
    }

    enum RuleSource: Sendable, CustomTestStringConvertible {
        case dashboard, script
        var testDescription: String { self == .dashboard ? "dashboard rule" : "report script rule" }
    }
}

/// An ``AlertDelivery`` that passes each firing on to a stream the test reads.
final class RecordingDelivery: AlertDelivery {
    let stream: AsyncStream<AlertFiring>
    private let input: AsyncStream<AlertFiring>.Continuation

    init() { (stream, input) = AsyncStream.makeStream(of: AlertFiring.self) }

    func deliver(_ firing: AlertFiring) async { input.yield(firing) }
}
