import Alerts
import Foundation
import Market
import Testing

@Suite("AlertRule")
struct AlertRuleTests {
    private func decode(_ json: String) throws -> AlertRule {
        try JSONDecoder().decode(AlertRule.self, from: Data(json.utf8))
    }

    @Test("decodes every field with snake_case keys and durations")
    func decodesAll() throws {
        let rule = try decode("""
            {"name": "wide", "metric": "z_score", "condition": ">=", "threshold": 2, "clear_threshold": 1,
             "pair": "BTCUSDT/ETHUSDT", "timeframe": "5m", "enabled": false, "for": "5m", "keep_firing_for": "10m",
             "no_data_after": "1h", "severity": "critical", "summary": "{{pair}} wide", "tolerance": 0.5,
             "symbol": "BTCUSDT"}
            """)
        #expect(rule == AlertRule(
            name: "wide", metric: .zScore, condition: .greaterThanOrEqual, threshold: 2, clearThreshold: 1, tolerance: 0.5,
            pair: Pair(base: "BTCUSDT", quote: "ETHUSDT"), symbol: "BTCUSDT", timeframe: .fiveMinutes, enabled: false,
            pendingFor: .minutes(5), keepFiringFor: .minutes(10), noDataAfter: .hours(1), severity: .critical,
            summary: "{{pair}} wide"))
    }

    @Test("defaults: enabled, warning, tolerance 1e-9, clear at the threshold")
    func defaults() throws {
        let rule = try decode(#"{"name": "x", "metric": "correlation", "condition": "crosses_below", "threshold": 0.5}"#)
        #expect(rule.enabled)
        #expect(rule.severity == .warning)
        #expect(rule.tolerance == 1e-9)
        #expect(rule.effectiveClearThreshold == 0.5)
    }

    @Test("rejects unknown keys, metrics, conditions and severities", arguments: [
        (#"{"name": "x", "metric": "z_score", "condition": ">", "treshold": 2}"#, "treshold"),
        (#"{"name": "x", "metric": "zscore", "condition": ">", "threshold": 2}"#, "unknown metric 'zscore'"),
        (#"{"name": "x", "metric": "z_score", "condition": "=>", "threshold": 2}"#, "unknown condition '=>'"),
        (#"{"name": "x", "metric": "z_score", "condition": ">", "threshold": 2, "severity": "high"}"#, "unknown severity 'high'"),
        (#"{"name": "x", "metric": "z_score", "condition": ">", "threshold": 2, "for": "5 minutes"}"#, "invalid duration"),
    ])
    func rejects(_ json: String, _ message: String) {
        #expect { try decode(json) } throws: { error in
            "\(error)".contains(message)
        }
    }

    @Test("validation", arguments: [
        (AlertRule(name: "a", metric: .zScore, condition: .greaterThan, threshold: 2, clearThreshold: 3),
         AlertError.clearThresholdOnWrongSide(rule: "a", condition: .greaterThan, threshold: 2, clearThreshold: 3)),
        (AlertRule(name: "a", metric: .correlation, condition: .lessThan, threshold: 0.5, clearThreshold: 0.4),
         AlertError.clearThresholdOnWrongSide(rule: "a", condition: .lessThan, threshold: 0.5, clearThreshold: 0.4)),
        (AlertRule(name: " ", metric: .zScore, condition: .greaterThan, threshold: 2),
         AlertError.invalidField(rule: " ", field: "name", expected: "a non-empty text")),
        (AlertRule(name: "a", metric: .zScore, condition: .equal, threshold: 2, tolerance: -1),
         AlertError.invalidField(rule: "a", field: "tolerance", expected: "zero or a positive number")),
        (AlertRule(name: "a", metric: .zScore, condition: .greaterThan, threshold: .nan),
         AlertError.invalidField(rule: "a", field: "threshold", expected: "a finite number")),
        // Spans near Int64.max ms overflowed in evaluation (found by Fuzz/fuzz-alerts).
        (AlertRule(name: "a", metric: .zScore, condition: .greaterThan, threshold: 2,
                   timeframe: Timeframe(milliseconds: 8_640_000_000_000_000_000)),
         AlertError.invalidField(rule: "a", field: "timeframe", expected: "at most 3650d (10 years)")),
        (AlertRule(name: "a", metric: .zScore, condition: .greaterThan, threshold: 2, noDataAfter: .days(3651)),
         AlertError.invalidField(rule: "a", field: "no_data_after", expected: "at most 3650d (10 years)")),
        (AlertRule(name: "a", metric: .zScore, condition: .greaterThan, threshold: 2, cooldown: .days(3651)),
         AlertError.invalidField(rule: "a", field: "cooldown", expected: "at most 3650d (10 years)")),
        (AlertRule(name: "a", metric: .zScore, condition: .greaterThan, threshold: 2, cooldown: TimeSpan(milliseconds: 0)),
         AlertError.invalidField(rule: "a", field: "cooldown", expected: "a positive duration such as 5m")),
    ])
    func validation(_ rule: AlertRule, _ error: AlertError) {
        #expect(throws: error) { try rule.validate() }
    }

    @Test("a rule with every span at the limit evaluates without overflow, and silence beyond it is no data")
    func longestSpans() throws {
        // Given a rule whose timeframe and durations are all the longest allowed
        let longest = AlertRule.longestSpan
        let rule = AlertRule(name: "a", metric: .zScore, condition: .greaterThan, threshold: 2,
                             timeframe: Timeframe(milliseconds: longest.milliseconds), pendingFor: longest,
                             keepFiringFor: longest, noDataAfter: longest)
        try rule.validate()
        // When it is evaluated over two breaching samples and again two limits later
        let start = Timestamp(milliseconds: 1_721_347_200_000)
        let samples = [MetricSample(time: start, value: 3), MetricSample(time: start + longest, value: 3)]
        let finding = AlertEvaluator.evaluate(rule, subject: "BTCUSDT/ETHUSDT", samples: samples,
                                              asOf: start + longest + longest + longest + .days(1), barWidth: longest)
        // Then it went pending, fired one limit later, and has no data since
        #expect(finding.transitions.map(\.state) == [.pending, .firing, .nodata])
    }

    @Test("valid rules pass; duplicate names do not")
    func names() throws {
        let a = AlertRule(name: "a", metric: .zScore, condition: .greaterThan, threshold: 2, clearThreshold: 1)
        try [a].validate()
        #expect(throws: AlertError.duplicateName("a")) { try [a, a].validate() }
    }

    @Test("errors read as one line naming the rule")
    func errorText() {
        let error = AlertError.clearThresholdOnWrongSide(rule: "wide", condition: .greaterThan, threshold: 2, clearThreshold: 3)
        #expect(error.description == "alert 'wide': clear_threshold 3.0 must be at or below threshold 2.0 for condition >")
    }
}

@Suite("Fingerprint and summaries")
struct FingerprintTests {
    @Test("FNV-1a 64 matches the reference values", arguments: [
        ("", "cbf29ce484222325"), ("a", "af63dc4c8601ec8c"), ("foobar", "85944171f73967e8"),
    ])
    func fnv(_ text: String, _ hex: String) {
        #expect(Fingerprint.fnv1a64Hex(text) == hex)
    }

    @Test("fingerprints depend on rule and subject, not on the threshold")
    func fingerprint() {
        let a = AlertRule(name: "wide", metric: .zScore, condition: .greaterThan, threshold: 2)
        var b = a
        b.threshold = 3
        #expect(Fingerprint.of(a, subject: "A/B") == Fingerprint.of(b, subject: "A/B"))
        #expect(Fingerprint.of(a, subject: "A/B") != Fingerprint.of(a, subject: "A/C"))
        #expect(Fingerprint.of(a, subject: "A/B").count == 16)
    }

    @Test("summary templates")
    func summary() {
        let rule = AlertRule(name: "wide", metric: .zScore, condition: .greaterThan, threshold: 2,
                             summary: "{{rule}}: {{pair}} {{metric}} {{value}} {{condition}} {{threshold}} [{{state}}] {{unknown}}")
        let samples = [MetricSample(time: Timestamp(milliseconds: 0), value: 2.3456)]
        let finding = AlertEvaluator.evaluate(rule, subject: "A/B", samples: samples, asOf: Timestamp(milliseconds: 60_000),
                                              barWidth: .minutes(1))
        #expect(finding.summary == "wide: A/B z-score 2.346 above 2 [firing] {{unknown}}")
        let plain = AlertEvaluator.evaluate(AlertRule(name: "w", metric: .correlation, condition: .lessThan, threshold: 0.5),
                                            subject: "A/B", samples: [MetricSample(time: Timestamp(milliseconds: 0), value: 0.25)],
                                            asOf: Timestamp(milliseconds: 60_000), barWidth: .minutes(1))
        #expect(plain.summary == "correlation 0.25 on A/B (below 0.5)")
    }
}

@Suite("NumberFormat")
struct NumberFormatTests {
    @Test("auto", arguments: [
        (2.0, "2"), (2.3456, "2.346"), (-0.000123456, "-0.0001235"), (61234.5678, "61234.57"), (1.5e-12, "1.5e-12"),
        (0.0, "0"), (Double.nan, "–"), (-0.00000001, "-1e-08"), (123.456, "123.46"), (-0.0, "0"),
    ])
    func auto(_ value: Double, _ text: String) {
        #expect(NumberFormat.auto(value) == text)
    }

    @Test("fixed, percent, grouped")
    func others() {
        #expect(NumberFormat.fixed(2.345, 2) == "2.35" || NumberFormat.fixed(2.345, 2) == "2.34")
        #expect(NumberFormat.fixed(-0.0001, 2) == "0.00")
        #expect(NumberFormat.percent(0.1234) == "12.3%")
        #expect(NumberFormat.grouped(1_234_567.8) == "1,234,568")
        #expect(NumberFormat.grouped(-999) == "-999")
        #expect(NumberFormat.grouped(-1000) == "-1,000")
    }
}
