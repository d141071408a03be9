import Market
import Prometheus

/// The names of every metric pairbook exports, in one place. Other modules record them through swift-metrics
/// with exactly these labels and dimensions; `pairbook run` bootstraps `MetricsSystem` with
/// ``PrometheusMetricsFactory/pairbook(registry:)`` and serves them at `GET /metrics`.
///
/// | name | type | unit | dimensions | recorded by | meaning |
/// | --- | --- | --- | --- | --- | --- |
/// | `pairbook_ticks_ingested_total` | counter | trades | `symbol` | `pairbook run` (from the collector's counters, each second) | trades accepted from the stream (after de-duplication) and queued for the database; committed within the recorder's flush interval |
/// | `pairbook_frames_total` | counter | frames | — | `pairbook run` (from the collector's counters, each second) | WebSocket frames received, any kind; frames/s = `rate()` |
/// | `pairbook_reconnects_total` | counter | connections | — | `pairbook run` (from the collector's counters, each second) | stream connections opened after the first one (drops, stalls, rotations) |
/// | `pairbook_gaps_total` | counter | gaps | — | `pairbook run` (from the collector's counters, each second) | trade-id gaps detected (rows in `stream_gaps`) |
/// | `pairbook_receive_to_commit_seconds` | histogram | seconds | — | Collector (recorder) | time from receiving a trade to its commit, buckets 1, 2, 5, 10, 15, 20, 25, 30, 40, 50, 75, 100, 250, 500 ms, 1, 2.5, 10 s |
/// | `pairbook_report_duration_seconds` | histogram | seconds | `report` | `pairbook run` (scheduler callback) | wall time of one scheduled report run (failed ones too), buckets 0.1 s … 10 min |
/// | `pairbook_alert_triggers_total` | counter | transitions | `rule` | `pairbook run` (after each report) | alert transitions to `firing` (each counted once, by the first run after it) |
/// | `pairbook_delivery_failures_total` | counter | deliveries | `target` | Delivery | deliveries that failed after all retries (`folder`, `smtp`) |
/// | `pairbook_sqlite_memory_bytes` | gauge | bytes | — | `pairbook run` (each second) | heap memory held by SQLite: page caches (bounded by `cache_size` per connection), statements, schemas |
///
/// Every series of the configured symbols, scheduled reports, their alert rules and the configured delivery targets
/// exists from start-up (at 0). Dimensions stay bounded: symbols and reports come from the configuration, rules from report scripts.
///
/// ```swift
/// let ingested = Counter(label: MetricNames.ticksIngested, dimensions: [(MetricNames.Dimension.symbol, "BTCUSDT")])
/// ingested.increment(by: 250)
/// ```
public enum MetricNames {
    /// Counter, dimension `symbol`: trades accepted from the stream (after de-duplication) for the database.
    public static let ticksIngested = "pairbook_ticks_ingested_total"
    /// Counter: WebSocket frames received from the exchange.
    public static let frames = "pairbook_frames_total"
    /// Counter: reconnects of the exchange stream.
    public static let reconnects = "pairbook_reconnects_total"
    /// Counter: trade-id gaps detected.
    public static let gaps = "pairbook_gaps_total"
    /// Timer (Prometheus histogram in seconds): receive-to-commit latency of a trade.
    public static let receiveToCommit = CollectorMetricNames.receiveToCommit  // "pairbook_receive_to_commit_seconds"
    /// Timer (Prometheus histogram in seconds), dimension `report`: duration of one report run.
    public static let reportDuration = "pairbook_report_duration_seconds"
    /// Counter, dimension `rule`: alert triggers.
    public static let alertTriggers = "pairbook_alert_triggers_total"
    /// Counter, dimension `target`: failed deliveries (after retries).
    public static let deliveryFailures = "pairbook_delivery_failures_total"
    /// Gauge, bytes: heap memory held by SQLite (page caches, statements), process-wide.
    public static let sqliteMemory = "pairbook_sqlite_memory_bytes"

    /// Every name above.
    public static let all = [
        ticksIngested, frames, reconnects, gaps, receiveToCommit, reportDuration, alertTriggers, deliveryFailures, sqliteMemory,
    ]

    /// The `# HELP` text of each family on `/metrics`.
    public static let help: [String: String] = [
        ticksIngested: "Trades accepted from the exchange stream for the database (after de-duplication), per symbol.",
        frames: "WebSocket frames received from the exchange, any kind.",
        reconnects: "Reconnects of the exchange stream (failures and proactive rotations).",
        gaps: "Trade-id gaps detected in the exchange stream.",
        receiveToCommit: "Latency from a trade's arrival to its database commit, in seconds.",
        reportDuration: "Duration of one scheduled report run, in seconds, per report.",
        alertTriggers: "Alert triggers (transitions to firing), per rule.",
        deliveryFailures: "Report deliveries that failed after their retries, per target.",
        sqliteMemory: "Heap memory held by SQLite (page caches, statements) in this process, in bytes.",
    ]

    /// Dimension (label) names.
    public enum Dimension {
        public static let symbol = "symbol"
        public static let report = "report"
        public static let rule = "rule"
        public static let target = "target"
    }
}

extension PrometheusMetricsFactory {
    /// A factory over `registry` with histogram buckets suited to pairbook's two timers:
    /// receive-to-commit from 1 ms to 10 s (5 ms steps around 10–30 ms), report durations from 100 ms to 10 min.
    ///
    /// ``PairbookMetricsFactory`` wraps it (and adds the help texts); bootstrap that.
    public static func pairbook(registry: PrometheusCollectorRegistry) -> PrometheusMetricsFactory {
        var factory = PrometheusMetricsFactory(registry: registry)
        // Fine where a healthy collector sits (p50 ≈ 12 ms, p99 ≈ 25–35 ms at 20,000 trades/s), so a p99 can be read off
        // the buckets to within 5–10 ms; coarse beyond 100 ms, where only "how bad" matters.
        factory.durationHistogramBuckets[MetricNames.receiveToCommit] = [
            .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(15), .milliseconds(20),
            .milliseconds(25), .milliseconds(30), .milliseconds(40), .milliseconds(50), .milliseconds(75), .milliseconds(100),
            .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500), .seconds(10),
        ]
        factory.durationHistogramBuckets[MetricNames.reportDuration] = [
            .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500), .seconds(5),
            .seconds(10), .seconds(30), .seconds(60), .seconds(120), .seconds(300), .seconds(600),
        ]
        return factory
    }
}
