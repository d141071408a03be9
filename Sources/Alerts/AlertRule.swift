import Market

/// One alert rule, as written in a report script's front matter or in `alerts.yaml`.
///
/// ```yaml
/// - name: spread stretched
///   metric: z_score
///   condition: ">"
///   threshold: 2.0
///   clear_threshold: 1.0      # stays firing until z ≤ 1 (hysteresis)
///   for: 5m                   # pending until it has held 5 minutes
///   keep_firing_for: 10m
///   severity: critical
///   cooldown: 15m             # live alerts: at most one notification per 15 minutes
///   summary: "{{pair}} z-score {{value}} {{condition}} {{threshold}}"
/// ```
///
/// Keys are snake_case; an unknown key is a decoding error, not silence. Durations are
/// ``TimeSpan`` spellings (`30s`, `5m`, `1h`).
public struct AlertRule: Sendable, Hashable, Codable {
    /// Unique name within a script; keys the persisted alert state together with the pair.
    public var name: String
    /// What is watched.
    public var metric: AlertMetric
    /// How the value is compared with ``threshold``.
    public var condition: AlertCondition
    /// The value at which the rule triggers.
    public var threshold: Double
    /// Once active, the rule stays active until the value is back past this (default: ``threshold``).
    public var clearThreshold: Double?
    /// Absolute tolerance for `==` (default 1e-9).
    public var tolerance: Double
    /// The pair the rule applies to; `nil` = every pair the report analyses.
    public var pair: Pair?
    /// The symbol for bar metrics (`volume`, `close`, …); `nil` = the pair's base, or every symbol of the report.
    public var symbol: Symbol?
    /// The bar timeframe; `nil` = the report's timeframe.
    public var timeframe: Timeframe?
    /// Disabled rules are parsed and validated but not evaluated.
    public var enabled: Bool
    /// How long the condition must hold before the alert fires (pending until then); `nil` = fire at once.
    public var pendingFor: TimeSpan?
    /// How long the alert keeps firing after the condition stops holding; `nil` = resolve at once.
    public var keepFiringFor: TimeSpan?
    /// No value for this long (bars stale or missing) turns the alert into `nodata`; `nil` = 5 bars of the timeframe.
    public var noDataAfter: TimeSpan?
    /// Urgency of the finding.
    public var severity: AlertSeverity
    /// The least time between two notifications (page notice, `on_trigger`, e-mail) when the rule newly fires while
    /// evaluated live; `nil` = notify on every new firing. Findings and `alert_events` are written either way.
    public var cooldown: TimeSpan?
    /// A one-line summary with placeholders `{{rule}}`, `{{pair}}`, `{{metric}}`, `{{value}}`, `{{threshold}}`,
    /// `{{condition}}`, `{{state}}`, `{{severity}}`; `nil` = a default sentence.
    public var summary: String?

    /// Creates a rule; every optional field defaults as documented on its property.
    public init(name: String, metric: AlertMetric, condition: AlertCondition, threshold: Double,
                clearThreshold: Double? = nil, tolerance: Double = 1e-9, pair: Pair? = nil, symbol: Symbol? = nil,
                timeframe: Timeframe? = nil, enabled: Bool = true, pendingFor: TimeSpan? = nil,
                keepFiringFor: TimeSpan? = nil, noDataAfter: TimeSpan? = nil, severity: AlertSeverity = .warning,
                cooldown: TimeSpan? = nil, summary: String? = nil) {
        self.name = name
        self.metric = metric
        self.condition = condition
        self.threshold = threshold
        self.clearThreshold = clearThreshold
        self.tolerance = tolerance
        self.pair = pair
        self.symbol = symbol
        self.timeframe = timeframe
        self.enabled = enabled
        self.pendingFor = pendingFor
        self.keepFiringFor = keepFiringFor
        self.noDataAfter = noDataAfter
        self.severity = severity
        self.cooldown = cooldown
        self.summary = summary
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case name, metric, condition, threshold
        case clearThreshold = "clear_threshold"
        case tolerance, pair, symbol, timeframe, enabled
        case pendingFor = "for"
        case keepFiringFor = "keep_firing_for"
        case noDataAfter = "no_data_after"
        case severity, cooldown, summary
    }

    /// Decodes a rule, rejecting unknown keys.
    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(allowed: CodingKeys.allCases.map(\.rawValue), in: "alert rule")
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            name: try c.decode(String.self, forKey: .name),
            metric: try c.decode(AlertMetric.self, forKey: .metric),
            condition: try c.decode(AlertCondition.self, forKey: .condition),
            threshold: try c.decode(Double.self, forKey: .threshold),
            clearThreshold: try c.decodeIfPresent(Double.self, forKey: .clearThreshold),
            tolerance: try c.decodeIfPresent(Double.self, forKey: .tolerance) ?? 1e-9,
            pair: try c.decodeIfPresent(Pair.self, forKey: .pair),
            symbol: try c.decodeIfPresent(Symbol.self, forKey: .symbol),
            timeframe: try c.decodeIfPresent(Timeframe.self, forKey: .timeframe),
            enabled: try c.decodeIfPresent(Bool.self, forKey: .enabled) ?? true,
            pendingFor: try c.decodeIfPresent(TimeSpan.self, forKey: .pendingFor),
            keepFiringFor: try c.decodeIfPresent(TimeSpan.self, forKey: .keepFiringFor),
            noDataAfter: try c.decodeIfPresent(TimeSpan.self, forKey: .noDataAfter),
            severity: try c.decodeIfPresent(AlertSeverity.self, forKey: .severity) ?? .warning,
            cooldown: try c.decodeIfPresent(TimeSpan.self, forKey: .cooldown),
            summary: try c.decodeIfPresent(String.self, forKey: .summary))
    }

    /// The threshold at which an active rule clears: ``clearThreshold`` or ``threshold``.
    public var effectiveClearThreshold: Double { clearThreshold ?? threshold }

    /// The longest `timeframe`, `for`, `keep_firing_for`, `no_data_after` or `cooldown` a rule may give: 3,650 days (10 years).
    ///
    /// Evaluation adds these spans to bar times (`last bar + timeframe + no_data_after`, five bars of silence); a longer
    /// one is a typo, and one near `Int64.max` milliseconds (`timeframe: 100000000000d`) would overflow.
    public static let longestSpan = TimeSpan.days(3650)

    /// Checks the fields against each other.
    ///
    /// - Throws: ``AlertError/clearThresholdOnWrongSide(rule:condition:threshold:clearThreshold:)`` when the clear
    ///   threshold would keep an upward rule firing forever (or a downward one), ``AlertError/invalidField(rule:field:expected:)``
    ///   for an empty name, a negative tolerance, non-finite thresholds, zero durations or a
    ///   timeframe or duration
    ///   longer than ``longestSpan``.
    public func validate() throws(AlertError) {
        guard !name.trimmingCharacters(in: " ").isEmpty else {
            throw .invalidField(rule: name, field: "name", expected: "a non-empty text")
        }
        guard threshold.isFinite else { throw .invalidField(rule: name, field: "threshold", expected: "a finite number") }
        guard tolerance >= 0, tolerance.isFinite else {
            throw .invalidField(rule: name, field: "tolerance", expected: "zero or a positive number")
        }
        if let clearThreshold {
            guard clearThreshold.isFinite else {
                throw .invalidField(rule: name, field: "clear_threshold", expected: "a finite number")
            }
            if condition.isUpward && clearThreshold > threshold || condition.isDownward && clearThreshold < threshold {
                throw .clearThresholdOnWrongSide(rule: name, condition: condition, threshold: threshold, clearThreshold: clearThreshold)
            }
            if condition == .equal {
                throw .invalidField(rule: name, field: "clear_threshold", expected: "absent for condition == (use tolerance)")
            }
        }
        let spans = [("timeframe", timeframe?.span), ("for", pendingFor), ("keep_firing_for", keepFiringFor),
                     ("no_data_after", noDataAfter), ("cooldown", cooldown)]
        for case let (field, span?) in spans {
            if span.milliseconds <= 0 {
                throw .invalidField(rule: name, field: field, expected: "a positive duration such as 5m")
            }
            if span > Self.longestSpan {
                throw .invalidField(rule: name, field: field, expected: "at most \(Self.longestSpan) (10 years)")
            }
        }
    }
}

extension Array where Element == AlertRule {
    /// Validates every rule and checks that names are unique.
    ///
    /// - Throws: the first ``AlertError`` found, in rule order.
    public func validate() throws(AlertError) {
        var seen = Set<String>()
        for rule in self {
            try rule.validate()
            guard seen.insert(rule.name).inserted else { throw .duplicateName(rule.name) }
        }
    }
}
