import Collector
import Dashboard
import Delivery
import Foundation
import Hummingbird
import Logging
import Market
import Metrics
import Monitoring
import NIOPosix
import PostgresStorage
import Prometheus
import ReportEngine
import Scheduler
import ServiceLifecycle
import Storage
import UnixSignals

/// `pairbook run` as a library: from ``RunSettings`` it builds the collector (unless ``RunSettings/collect`` is off: a
/// report worker), the report scheduler and its deliveries, live alerts, the live feed, and one HTTP server for
/// health, metrics and the dashboard, and runs them in one ServiceGroup until SIGTERM or SIGINT (or the task is
/// cancelled).
///
/// ```swift
/// let registry = PrometheusCollectorRegistry()
/// MetricsSystem.bootstrap(PairbookMetricsFactory(registry: registry))  // once per process
/// let app = try PairbookApplication(settings: settings, registry: registry, logger: logger)
/// try await app.run()
/// ```
public struct PairbookApplication: Sendable {
    public let settings: RunSettings
    let registry: PrometheusCollectorRegistry
    let logger: Logger
    let deliveries: [any ReportDelivery]
    let say: @Sendable (String) -> Void

    /// Checks what can fail before anything starts (delivery credentials are read here).
    ///
    /// - Parameter say: where the start, status and stop lines go (the console).
    /// - Throws: ``RunError`` for a PostgreSQL database (its reports, alerts and dashboard read SQLite so far).
    public init(settings: RunSettings, registry: PrometheusCollectorRegistry, logger: Logger,
                say: @escaping @Sendable (String) -> Void = { _ in }) throws {
        guard !PostgresURL.isPostgres(settings.database) else {
            throw RunError("pairbook run needs an SQLite database (its reports, alerts and dashboard read SQLite so far); "
                           + "record into PostgreSQL with `pairbook collect --db postgres://…` and report from it with "
                           + "`pairbook report --db postgres://…`")
        }
        self.settings = settings
        self.registry = registry
        self.logger = logger
        self.say = say
        deliveries = try settings.deliveries.make(logger: logger)
    }

    /// Runs every service until shutdown; everything received is committed before it returns.
    ///
    /// - Returns: the collector's counters at the end (all zero in a report worker).
    @discardableResult
    public func run(signals: [UnixSignal] = [.sigterm, .sigint]) async throws -> CollectorStats.Snapshot {
        let store = try Store(path: settings.database, logger: logger)
        // Each commit wakes the dashboard's live feed, so new bars reach the pages without waiting for its poll.
        let feedSignal = FeedSignal()
        let collector = !settings.collect ? nil : try await LiveCollector(
            stream: BinanceStreamConfiguration(symbols: settings.symbols, kind: settings.stream, endpoint: settings.endpoint,
                                               tls: settings.streamTLS),
            timeframes: settings.timeframes, restEndpoint: settings.restEndpoint, apiKey: settings.apiKey, store: store,
            statusInterval: .seconds(10), statusLine: say, logger: logger, shareSymbols: settings.shareSymbols,
            redis: settings.redis,
            afterCommit: { _ in feedSignal.ring() })
        let reportPool = NIOThreadPool(numberOfThreads: 1)
        reportPool.start()
        defer { reportPool.shutdownGracefully { _ in } }

        let scheduler = makeScheduler(store: store, pool: reportPool)
        let health = HealthMonitor(stats: collector?.stats, maximumAge: settings.maximumDataAge,
                                   probe: HealthMonitor<ContinuousClock>.databaseProbe(store), clock: ContinuousClock())
        let (http, feed, alerts) = try makeHTTP(store: store, collector: collector, health: health, feedSignal: feedSignal)

        // Shutdown runs in reverse: HTTP, scheduler, metrics and status stop first, the recorder flushes last.
        let collecting: [any Service] = collector.map {
            $0.services + [CollectorMetrics(stats: $0.stats, symbols: settings.symbols, clock: ContinuousClock())]
        } ?? []
        let retention: [any Service] = settings.keepTicksFor.map {
            [TickRetention(store: store, keep: $0, clock: ContinuousClock(), logger: logger)]
        } ?? []
        let services: [any Service] = collecting + retention + [health, scheduler, http, alerts, feed]
        var group = ServiceGroupConfiguration(services: services, gracefulShutdownSignals: signals, logger: logger)
        group.maximumGracefulShutdownDuration = .seconds(settings.shutdownGrace)
        let what = collector == nil
            ? "reports only (--no-collect) over \(settings.database)"
            : "\(settings.symbols.map(\.name).joined(separator: ",")) into \(settings.database)"
        say("running: \(what); "
            + "\(settings.reports.count) report(s) [\(settings.reports.map { "\($0.name) \($0.schedule)" }.joined(separator: "; "))]; "
            + "dashboard http://\(settings.listenHost):\(settings.listenPort)/ (/healthz, /metrics); Ctrl-C to stop")
        try await ServiceGroup(configuration: group).run()
        return collector?.stats.snapshot() ?? CollectorStats.Snapshot()
    }

    /// The report scheduler, with a duration timer per report and a trigger counter per alert rule, each at 0 from
    /// the start so that /metrics lists them before the first report or alert.
    private func makeScheduler(store: Store, pool: NIOThreadPool) -> ReportScheduler<ContinuousClock> {
        let reportTimers = Dictionary(
            settings.reports.map { ($0.path, Metrics.Timer(label: MetricNames.reportDuration, dimensions: [(MetricNames.Dimension.report, $0.name)])) },
            uniquingKeysWith: { first, _ in first })
        let alertTriggers = Dictionary(
            settings.reports.flatMap(\.alertRules).map { ($0, Metrics.Counter(label: MetricNames.alertTriggers, dimensions: [(MetricNames.Dimension.rule, $0)])) },
            uniquingKeysWith: { first, _ in first })
        let worker = LeaseHolder.thisProcess()
        let jobs = settings.reports.map { report in
            let runner = ScheduledReportRunner(
                report: report, store: store, outputRoot: settings.outputRoot, keepFor: settings.keepReportsFor,
                deliveries: deliveries, alertTriggers: alertTriggers, worker: worker, pool: pool, logger: logger)
            return ScheduledJob(name: report.path, schedule: report.schedule) { slot in try await runner.run(slot: slot) }
        }
        return ReportScheduler(
            jobs: jobs,
            configuration: .init(missedRuns: settings.catchUp ? .runMostRecent : .skip),
            lastRun: { script in try await store.lastReportRun(script: script) },  // ok/alert runs only
            onRun: { run in reportTimers[run.job]?.recordMilliseconds(run.duration.milliseconds) },
            logger: logger)
    }

    /// Health, metrics and the dashboard on one address, the live feed that pushes bars to the dashboard's pages,
    /// and live alerts: the dashboard's rules and the scheduled scripts', on every bar close of their timeframe (a
    /// newly firing rule runs its script's on_trigger and is mailed, ``LiveAlertDelivery``).
    private func makeHTTP(store: Store, collector: LiveCollector?, health: HealthMonitor<ContinuousClock>, feedSignal: FeedSignal) throws
        -> (MonitoringServer, LiveFeed, LiveAlerts)
    {
        let hub = EventHub()
        let collectorView = collector.map { CollectorViewSource(stats: $0.stats, symbols: settings.symbols) }
        let view: @Sendable () -> CollectorView? = { collectorView?.view() }
        let dashboard = try settings.dashboard.map { configuration in
            try Dashboard(configuration: configuration, store: store, hub: hub, collector: view, logger: logger)
        }
        if dashboard == nil {
            logger.warning("dashboard disabled: listening beyond loopback needs an access token (--token, PAIRBOOK_TOKEN or `token:`)")
        }
        let alerts = LiveAlerts(store: store, hub: hub, scripts: settings.reports.map(\.script),
                                delivery: LiveAlertDelivery(deliveries: deliveries, logger: logger), logger: logger)
        let feed = LiveFeed(store: store, hub: hub, timeframes: settings.timeframes, collector: view,
                            signal: feedSignal, onBarsClosed: { await alerts.barsClosed($0) }, logger: logger)
        var dashboardRoutes: (@Sendable () -> RouteCollection<BasicRequestContext>)?
        if let dashboard { dashboardRoutes = { dashboard.routes() } }
        let http = MonitoringServer(
            configuration: .init(host: settings.listenHost, port: settings.listenPort, outputDirectory: settings.outputRoot),
            registry: registry,
            health: { health.report },
            logger: logger,
            additionalRoutes: dashboardRoutes)
        return (http, feed, alerts)
    }
}
