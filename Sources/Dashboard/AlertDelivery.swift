import Market

/// A live alert rule that has newly fired, outside its cooldown: what an ``AlertDelivery`` is given.
public struct AlertFiring: Sendable, Hashable {
    /// The rule's name.
    public var rule: String
    /// `db:<id>` for a dashboard rule, `script:<report>:<rule>` for a report script's.
    public var ruleID: String
    /// The pair (`BTCUSDT/ETHUSDT`) or symbol the rule fired on.
    public var subject: String
    /// The metric (`z_score`, `close`, …), its value at the firing bar (nil when undefined) and the rule's threshold.
    public var metric: String
    public var value: Double?
    public var threshold: Double
    /// The open time of the bar that fired it, UTC.
    public var time: Timestamp
    /// `info`, `warning` or `critical`.
    public var severity: String
    /// The rule's one-line summary with its values filled in.
    public var summary: String
    /// The report script the rule belongs to (nil for a dashboard rule).
    public var script: String?
    /// The script's `on_trigger` shell command, if it has one.
    public var onTrigger: String?
}

/// What runs when a live alert newly fires, besides the notice on open pages: the `on_trigger` command, an e-mail.
///
/// The application layer implements it (so this module knows nothing of SMTP); ``LiveAlerts`` calls it once per
/// firing, one at a time and in order, off the path that evaluates bars, so a slow mail server delays no alert.
public protocol AlertDelivery: Sendable {
    /// Delivers one firing; failures are the implementation's to log.
    func deliver(_ firing: AlertFiring) async
}
