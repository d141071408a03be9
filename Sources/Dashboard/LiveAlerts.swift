import Alerts
import Analytics
import Foundation
import Logging
import Market
import NIOPosix
import ReportEngine
import ServiceLifecycle
import Storage
import Synchronization

/// Evaluates alert rules as bars close, not only when a report runs: the dashboard's rules (`alert_rules`) and the
/// rules of the given report scripts, each on the bars of its timeframe, with the same state machine (`for`,
/// `clear_threshold`, `keep_firing_for`, nodata) and the same `alert_events` history as reports.
///
/// On each closed bar of a rule's timeframe that belongs to its pair (or symbol), the rule's metric is computed over
/// the recent bars (the rule's rolling window, 4 windows + 200 bars of history for ADF and half-life), the samples
/// after the last evaluation are stepped through the state machine from the stored state, and new transitions are
/// stored and published as `alert` events (a newly firing rule at most once per `cooldown`). Watched pairs also get
/// their `analytics_results` row for the bar and an `analytics` event.
///
/// A rule that newly fires outside its `cooldown` (a key of dashboard and script rules alike) is also
/// handed to the ``AlertDelivery``, by ``run()``: as a service, it delivers the firings in order while bars go on being
/// evaluated.
public final class LiveAlerts: Service {
    /// A rule as the evaluator sees it.
    struct Watched: Sendable {
        var id: String
        /// Where the rule is defined (``AlertSource``), which keys its state.
        var source: String
        var rule: AlertRule
        var window: Int
        var timeframe: Timeframe
        var cooldown: TimeSpan?
        /// The report script of a script's rule, and its `on_trigger` command.
        var script: String?
        var onTrigger: String?
    }

    private struct State {
        var evaluatedUpTo: [String: Timestamp] = [:]
        var notifiedAt: [String: Timestamp] = [:]
    }

    private let store: any DashboardStore
    private let hub: EventHub
    private let scriptRules: [Watched]
    private let state = Mutex(State())
    private let logger: Logger
    private let delivery: (any AlertDelivery)?
    private let firings: AsyncStream<AlertFiring>
    private let firingsInput: AsyncStream<AlertFiring>.Continuation

    /// - Parameters:
    ///   - scripts: report scripts whose rules are evaluated too (with their `window` and `timeframe` params).
    ///   - delivery: what runs when a rule newly fires (``run()`` calls it); nil = notices on the pages only.
    public init(store: any DashboardStore, hub: EventHub, scripts: [ReportScript], delivery: (any AlertDelivery)? = nil, logger: Logger) {
        self.store = store
        self.hub = hub
        self.logger = logger
        self.delivery = delivery
        // Firings wait here for run(); beyond 1,000 undelivered ones the oldest are dropped (a stuck mail server must
        // not hold memory without bound).
        (firings, firingsInput) = AsyncStream.makeStream(of: AlertFiring.self, bufferingPolicy: .bufferingNewest(1000))
        scriptRules = scripts.flatMap { script -> [Watched] in
            let window = script.parameters["window"]?.intValue ?? 60
            let timeframe = script.parameters["timeframe"]?.timeframeValue ?? .oneMinute
            let primary = Dashboard.primaryPair(of: script)
            return script.alerts.filter(\.enabled).map { rule in
                var rule = rule
                if rule.metric.isPairMetric, rule.pair == nil { rule.pair = primary }
                if !rule.metric.isPairMetric, rule.symbol == nil, rule.pair == nil { rule.symbol = primary?.base }
                return Watched(id: "script:\(script.name):\(rule.name)", source: AlertSource.script(script.name), rule: rule,
                               window: window, timeframe: rule.timeframe ?? timeframe, cooldown: rule.cooldown, script: script.name,
                               onTrigger: script.onTrigger)
            }
        }
    }

    /// The enabled rules now: the dashboard's (read afresh, so a rule made on the page applies from the next bar) and
    /// the scripts'.
    func rules() throws -> [Watched] {
        let stored = try store.alertRules().filter(\.enabled).compactMap { record -> Watched? in
            guard let parsed = try? DashboardRule.decode(Data(record.definition.utf8)) else { return nil }
            return Watched(id: "db:\(record.id)", source: AlertSource.dashboard, rule: parsed.rule, window: parsed.window,
                           timeframe: parsed.rule.timeframe ?? .oneMinute, cooldown: parsed.rule.cooldown)
        }
        return stored + scriptRules
    }

    /// Evaluates every rule that the closed bars concern (the live feed calls this after each poll that saw bars
    /// close), on NIO's thread pool: SQLite reads and the analysis stay off the cooperative threads. Newly firing rules
    /// are queued for ``run()``'s delivery.
    public func barsClosed(_ closed: [LiveFeed.ClosedBar]) async {
        do {
            let fired = try await NIOThreadPool.singleton.runIfActive { self.evaluate(closed) }
            if delivery != nil { for firing in fired { firingsInput.yield(firing) } }
        } catch {
            logger.warning("live alert evaluation skipped", metadata: ["error": "\(error)"])
        }
    }

    /// Hands each newly firing rule to the delivery, one at a time, until a graceful shutdown (a delivery under way
    /// finishes first).
    public func run() async {
        for await firing in firings.cancelOnGracefulShutdown() {
            await delivery?.deliver(firing)
        }
    }

    /// Evaluates the rules the closed bars concern; returns the rules that newly fired outside their cooldown.
    @discardableResult
    func evaluate(_ closed: [LiveFeed.ClosedBar]) -> [AlertFiring] {
        var fired: [AlertFiring] = []
        do {
            let rules = try rules()
            var analysed: [String: PairAnalysis] = [:]
            for rule in rules {
                let touched = closed.filter { bar in
                    bar.timeframe == rule.timeframe && (rule.rule.pair.map { bar.symbol == $0.base || bar.symbol == $0.quote }
                        ?? (bar.symbol == rule.rule.symbol))
                }
                guard let newest = touched.map(\.bar.openTime).max() else { continue }
                do {
                    try evaluate(rule, through: newest, analysed: &analysed, fired: &fired)
                } catch {
                    logger.warning("live alert evaluation failed", metadata: ["alert.rule": "\(rule.rule.name)", "error": "\(error)"])
                }
            }
            for (key, analysis) in analysed { publishAnalytics(analysis, key: key) }
        } catch {
            logger.warning("cannot read alert rules", metadata: ["error": "\(error)"])
        }
        return fired
    }

    private func evaluate(_ watched: Watched, through newest: Timestamp, analysed: inout [String: PairAnalysis],
                          fired: inout [AlertFiring]) throws {
        let rule = watched.rule
        let tf = watched.timeframe
        let history = TimeSpan(milliseconds: tf.milliseconds * Int64(4 * watched.window + 200))
        let range = TimeRange(start: newest + tf.span - history, end: newest + tf.span)
        let samples: [MetricSample]
        let subject: String
        if rule.metric.isPairMetric {
            guard let pair = rule.pair else { return }
            subject = pair.description
            let key = "\(pair) \(tf) \(watched.window)"
            if analysed[key] == nil {
                let base = try store.bars(for: pair.base, timeframe: tf, in: range)
                let quote = try store.bars(for: pair.quote, timeframe: tf, in: range)
                analysed[key] = try? PairAnalysis.compute(base: base, quote: quote, options: .init(window: watched.window))
            }
            samples = analysed[key].map { [MetricSample](rule.metric, in: $0) } ?? []
        } else {
            guard let symbol = rule.symbol ?? rule.pair?.base else { return }
            subject = symbol.name
            samples = [MetricSample](rule.metric, in: try store.bars(for: symbol, timeframe: tf, in: range).bars)
        }
        let stateKey = "\(watched.id)\u{0}\(subject)"
        let since = state.withLock { $0.evaluatedUpTo[stateKey] }
        let fresh = samples.filter { sample in
            sample.time <= newest && (since.map { sample.time > $0 } ?? (sample.time == newest))
        }
        guard let first = fresh.first else { return }
        let stored = try store.alertEvents(source: watched.source, rule: rule.name, symbolPair: subject, before: first.time)
        let previous = AlertState(continuingFrom: stored.transitions)
        let finding = AlertEvaluator.evaluate(rule, subject: subject, samples: fresh, asOf: newest + tf.span, barWidth: tf.span, previous: previous)
        state.withLock { $0.evaluatedUpTo[stateKey] = newest }
        let events = finding.transitions.map { t in
            AlertEventRecord(source: watched.source, rule: rule.name, symbolPair: subject, metric: rule.metric.rawValue, value: t.value, threshold: rule.threshold,
                             state: t.state.rawValue, time: t.time, reportRun: nil)
        }
        guard try store.recordAlertEvents(events) > 0 else { return }
        for t in finding.transitions {
            let notify = t.state == AlertStateKind.firing && state.withLock { state -> Bool in
                if let cooldown = watched.cooldown, let last = state.notifiedAt[stateKey], t.time - last < cooldown { return false }
                state.notifiedAt[stateKey] = t.time
                return true
            }
            let event = AlertEvent(rule: rule.name, ruleID: watched.id, pair: subject, metric: rule.metric.rawValue, state: t.state.rawValue,
                                   value: t.value, threshold: rule.threshold, time: t.time.milliseconds, notify: notify,
                                   severity: rule.severity.rawValue, summary: finding.summary)
            hub.publish("alert", data: JSONText.encode(event), subject: subject)
            if notify {
                logger.notice("alert firing", metadata: ["alert.rule": "\(rule.name)", "pair": "\(subject)", "value": "\(t.value.map { "\($0)" } ?? "-")"])
                fired.append(AlertFiring(rule: rule.name, ruleID: watched.id, subject: subject, metric: rule.metric.rawValue, value: t.value,
                                         threshold: rule.threshold, time: t.time, severity: rule.severity.rawValue, summary: finding.summary,
                                         script: watched.script, onTrigger: watched.onTrigger))
            }
        }
    }

    private func publishAnalytics(_ a: PairAnalysis, key: String) {
        guard let row = a.resultRecords.last else { return }
        do {
            try store.replaceAnalyticsResults([row], symbolPair: row.symbolPair, timeframe: row.timeframe)
        } catch {
            logger.warning("cannot store live analytics", metadata: ["pair": "\(row.symbolPair)", "error": "\(error)"])
        }
        let event = AnalyticsEvent(pair: row.symbolPair, timeframe: row.timeframe.description, t: row.time.milliseconds, z: row.zScore,
                                   spread: row.spread, beta: row.hedgeRatio, corr: row.correlation, window: a.options.window)
        hub.publish("analytics", data: JSONText.encode(event), subject: row.symbolPair, timeframe: row.timeframe.description)
    }
}

/// The `alert` event's data.
struct AlertEvent: Codable {
    var rule: String
    var ruleID: String
    var pair: String
    var metric: String
    var state: String
    var value: Double?
    var threshold: Double
    var time: Int64
    /// Whether the page should show a notice (a new firing outside the rule's cooldown).
    var notify: Bool
    var severity: String
    var summary: String

    enum CodingKeys: String, CodingKey {
        case rule, pair, metric, state, value, threshold, time, notify, severity, summary
        case ruleID = "rule_id"
    }
}

/// The `analytics` event's data.
struct AnalyticsEvent: Codable {
    var pair: String
    var timeframe: String
    var t: Int64
    var z: Double?
    var spread: Double?
    var beta: Double?
    var corr: Double?
    var window: Int
}
