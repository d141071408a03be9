import Alerts
import Foundation
import Hummingbird
import Logging
import Market
import NIOCore
import ReportEngine
import Storage

// MARK: - Alert rules: list with state, history, create, edit, delete

extension Dashboard {
    func addAlertRoutes(to routes: RouteCollection<BasicRequestContext>) {
        routes.get("/api/alerts") { _, _ in
            let rules = try await offload { try alertRules() }
            return JSONBody.response(AlertsBody(rules: rules))
        }

        routes.get("/api/alerts/events") { request, _ in
            let limit = try QueryParameters(request).integer("limit", default: 100, in: 1...10_000) ?? 100
            let events = try await offload { try store.recentAlertEvents(limit: limit) }
            return JSONBody.response(["events": events.map(AlertEventItem.init)])
        }

        routes.post("/api/alerts") { request, context in
            let rule = try await decodeRule(request, context: context)
            let at = now()
            let record = try await offload {
                try checkNameFree(rule.rule.name)
                return try storeErrors { try store.insertAlertRule(name: rule.rule.name, definition: rule.definition, enabled: rule.rule.enabled, at: at) }
            }
            logger.info("alert rule created", metadata: ["alert.rule": "\(record.name)"])
            return JSONBody.response(try item(record), status: .created)
        }

        routes.put("/api/alerts/:id") { request, context in
            let id = try ruleID(context)
            let rule = try await decodeRule(request, context: context)
            let at = now()
            let record = try await offload {
                try checkNameFree(rule.rule.name)
                return try storeErrors { try store.updateAlertRule(id: id, name: rule.rule.name, definition: rule.definition, enabled: rule.rule.enabled, at: at) }
            }
            guard let record else { throw APIError.notFound("no dashboard rule db:\(id)") }
            logger.info("alert rule changed", metadata: ["alert.rule": "\(record.name)"])
            return JSONBody.response(try item(record))
        }

        routes.delete("/api/alerts/:id") { _, context in
            let id = try ruleID(context)
            guard try await offload({ try store.deleteAlertRule(id: id) }) else { throw APIError.notFound("no dashboard rule db:\(id)") }
            logger.info("alert rule deleted", metadata: ["alert.rule.id": "\(id)"])
            return Response(status: .noContent)
        }
    }

    /// `db:<n>` → n; script rules (`script:…`) cannot be changed here.
    private func ruleID(_ context: BasicRequestContext) throws -> Int64 {
        let text = try context.parameters.require("id")
        if text.hasPrefix("script:") {
            throw APIError(.forbidden, "this rule comes from a report script; edit the script to change it")
        }
        guard text.hasPrefix("db:"), let id = Int64(text.dropFirst(3)), id > 0 else {
            throw APIError.notFound("no rule \(text) (dashboard rules are db:<number>)")
        }
        return id
    }

    private func decodeRule(_ request: Request, context: BasicRequestContext) async throws -> DashboardRule {
        let rule = try DashboardRule.decode(try await body(of: request))
        try rule.validate()
        return rule
    }

    private func checkNameFree(_ name: String) throws {
        if let script = scripts.entries().first(where: { $0.script?.alerts.contains { $0.name == name } ?? false }) {
            throw APIError(.conflict, "a rule named \"\(name)\" comes from report script \(script.name); choose another name")
        }
    }

    private func storeErrors<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch let error as StoreError {
            if case .duplicateAlertRule = error { throw APIError(.conflict, error.description) }
            throw error
        }
    }

    /// Dashboard rules, then every script's, each with its current state from `alert_events`.
    func alertRules() throws -> [AlertRuleItem] {
        let states = Dictionary(try store.currentAlertStates().map { (Self.stateKey($0.source, $0.rule, $0.symbolPair), $0) },
                                uniquingKeysWith: { a, _ in a })
        var items = try store.alertRules().map { try item($0, states: states) }
        for entry in scripts.entries() {
            guard let script = entry.script else { continue }
            let primary = Self.primaryPair(of: script)
            let window = script.parameters["window"]?.intValue ?? 60
            for rule in script.alerts {
                let subject = rule.pair?.description ?? (rule.metric.isPairMetric ? primary?.description : (rule.symbol ?? primary?.base)?.name)
                var item = AlertRuleItem(id: "script:\(script.name):\(rule.name)", source: "script", script: script.name, editable: false,
                                         rule: DashboardRule(rule: rule, window: window), subject: subject)
                item.apply(subject.flatMap { states[Self.stateKey(AlertSource.script(script.name), rule.name, $0)] })
                items.append(item)
            }
        }
        return items
    }

    func item(_ record: AlertRuleRecord, states: [String: AlertEventRecord]? = nil) throws -> AlertRuleItem {
        var rule = try DashboardRule.decode(Data(record.definition.utf8))
        rule.rule.enabled = record.enabled
        let subject = rule.rule.pair?.description ?? rule.rule.symbol?.name
        var item = AlertRuleItem(id: "db:\(record.id)", source: "dashboard", script: nil, editable: true, rule: rule, subject: subject)
        if let states {
            item.apply(subject.flatMap { states[Self.stateKey(AlertSource.dashboard, record.name, $0)] })
        }
        return item
    }

    private static func stateKey(_ source: String, _ rule: String, _ subject: String) -> String {
        "\(source)\u{0}\(rule)\u{0}\(subject)"
    }

    /// The pair a script is about by default: `base`/`quote` params, else the first of `pairs`.
    static func primaryPair(of script: ReportScript) -> Pair? {
        if let base = script.parameters["base"]?.symbolValue, let quote = script.parameters["quote"]?.symbolValue {
            return Pair(base: base, quote: quote)
        }
        return script.parameters["pairs"]?.listValue?.first?.pairValue ?? script.parameters["pair"]?.pairValue
    }
}

// MARK: - Bodies

struct AlertRuleItem: Encodable {
    var id: String
    var source: String
    var script: String?
    var editable: Bool
    var rule: DashboardRule
    /// The pair or symbol the state belongs to.
    var subject: String?
    /// The newest state; `nil` when the rule was never evaluated.
    var state: String?
    var value: Double?
    var since: Int64?

    init(id: String, source: String, script: String?, editable: Bool, rule: DashboardRule, subject: String?) {
        self.id = id
        self.source = source
        self.script = script
        self.editable = editable
        self.rule = rule
        self.subject = subject
    }

    mutating func apply(_ event: AlertEventRecord?) {
        guard let event else { return }
        state = event.state
        value = event.value
        since = event.time.milliseconds
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        let r = rule.rule
        try c.encode(id, forKey: .id)
        try c.encode(source, forKey: .source)
        try c.encode(script, forKey: .script)
        try c.encode(editable, forKey: .editable)
        try c.encode(r.name, forKey: .name)
        try c.encode(r.metric, forKey: .metric)
        try c.encode(r.condition, forKey: .condition)
        try c.encode(r.threshold, forKey: .threshold)
        try c.encode(r.clearThreshold, forKey: .clearThreshold)
        try c.encode(r.pair, forKey: .pair)
        try c.encode(r.symbol, forKey: .symbol)
        try c.encode(r.timeframe, forKey: .timeframe)
        try c.encode(rule.window, forKey: .window)
        try c.encode(r.enabled, forKey: .enabled)
        try c.encode(r.pendingFor, forKey: .pendingFor)
        try c.encode(r.keepFiringFor, forKey: .keepFiringFor)
        try c.encode(r.severity, forKey: .severity)
        try c.encode(r.cooldown, forKey: .cooldown)
        try c.encode(r.summary, forKey: .summary)
        try c.encode(subject, forKey: .subject)
        try c.encode(state, forKey: .state)
        try c.encode(value, forKey: .value)
        try c.encode(since, forKey: .since)
    }

    enum Key: String, CodingKey {
        case id, source, script, editable, name, metric, condition, threshold, pair, symbol, timeframe, window, enabled
        case severity, cooldown, summary, subject, state, value, since
        case clearThreshold = "clear_threshold", pendingFor = "for", keepFiringFor = "keep_firing_for"
    }
}

struct AlertsBody: Encodable {
    var rules: [AlertRuleItem]
    var metrics = AlertMetric.allCases.map(\.rawValue)
    var conditions = AlertCondition.allCases.map(\.rawValue)
    var severities = AlertSeverity.allCases.map(\.rawValue)
}

struct AlertEventItem: Encodable {
    var rule: String
    var pair: String
    var metric: String
    var state: String
    var value: Double?
    var threshold: Double
    var time: Int64

    init(_ e: AlertEventRecord) {
        rule = e.rule
        pair = e.symbolPair
        metric = e.metric
        state = e.state
        value = e.value
        threshold = e.threshold
        time = e.time.milliseconds
    }
}
