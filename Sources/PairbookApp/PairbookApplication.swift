import Collector
import Dashboard
import DataMigration
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
    /// - Throws: ``RunError`` when a delivery's credentials cannot be read.
    public init(settings: RunSettings, registry: PrometheusCollectorRegistry, logger: Logger,
                say: @escaping @Sendable (String) -> Void = { _ in }) throws {
        self.settings = settings
        self.registry = registry
        self.logger = logger
        self.say = say
        deliveries = try settings.deliveries.make(logger: logger)
    }

    /// Runs every service until shutdown; everything received is committed before it returns.
    ///
    /// On PostgreSQL (`postgres://…`) the same services run over the database (each report slot claimed, so workers on
    /// other machines make it once), but for trade retention, which works on SQLite only so far (``init`` refuses it).
    /// - Returns: the collector's counters at the end (all zero in a report worker).
    @discardableResult
    public func run(signals: [UnixSignal] = [.sigterm, .sigint]) async throws -> CollectorStats.Snapshot {
        switch try StoreLocation(parsing: settings.database) {
        case .sqlite(let path):
            let store = try Store(path: path, logger: logger)
            return try await run(RunStores(live: store, dashboard: store,
                                           retention: { TickRetention(store: store, keep: $0, clock: ContinuousClock(), logger: $1) },
                                           lastRun: { try await store.lastReportRun(script: $0) },
                                           probe: HealthMonitor<ContinuousClock>.databaseProbe(store)), signals: signals)
        case .postgres(let url):
            return try await PostgresStore.withStore(url, logger: logger) { store in
                try await run(RunStores(live: store, dashboard: BlockingPostgresStore(store),
                                        retention: { TickRetention(postgres: store, keep: $0, clock: ContinuousClock(), logger: $1) },
                                        lastRun: { try await store.lastReportRun(script: $0) },
                                        probe: { await store.probe() }), signals: signals)
            }
        }
    }

    /// What `run` works on: the store the collector records into, the same database as the reports and the dashboard
    /// read it, and trade retention on it.
    private struct RunStores: Sendable {
        var live: any LiveStore
        var dashboard: any DashboardStore
        /// Removes trades older than a span, every hour.
        var retention: @Sendable (TimeSpan, Logger) -> TickRetention<ContinuousClock>
        /// When a script last ran to the end (the scheduler's missed-run lookup).
        var lastRun: @Sendable (String) async throws -> Timestamp?
        /// Nil when the database takes a write, else why not.
        var probe: @Sendable () async -> String?
    }

    private func run(_ stores: RunStores, signals: [UnixSignal]) async throws -> CollectorStats.Snapshot {
        // Each commit wakes the dashboard's live feed, so new bars reach the pages without waiting for its poll.
        let feedSignal = FeedSignal()
        let collector = !settings.collect ? nil : try await LiveCollector(
            stream: BinanceStreamConfiguration(symbols: settings.symbols, kind: settings.stream, endpoint: settings.endpoint,
                                               tls: settings.streamTLS),
            timeframes: settings.timeframes, restEndpoint: settings.restEndpoint, apiKey: settings.apiKey, store: stores.live,
            statusInterval: .seconds(10), statusLine: say, logger: logger, shareSymbols: settings.shareSymbols,
            redis: settings.redis,
            afterCommit: { _ in feedSignal.ring() })
        let reportPool = NIOThreadPool(numberOfThreads: 1)
        reportPool.start()
        defer { reportPool.shutdownGracefully { _ in } }

        let scheduler = makeScheduler(stores, pool: reportPool)
        let health = HealthMonitor(stats: collector?.stats, maximumAge: settings.maximumDataAge, probe: stores.probe, clock: ContinuousClock())
        let (http, feed, alerts) = try makeHTTP(store: stores.dashboard, collector: collector, health: health, feedSignal: feedSignal)

        // Shutdown runs in reverse: HTTP, scheduler, metrics and status stop first, the recorder flushes last.
        let collecting: [any Service] = collector.map {
            $0.services + [CollectorMetrics(stats: $0.stats, symbols: settings.symbols, clock: ContinuousClock())]
        } ?? []
        var retention: [any Service] = []
        if let keep = settings.keepTicksFor { retention = [stores.retention(keep, logger)] }
        let services: [any Service] = collecting + retention + [health, scheduler, http, alerts, feed]
        var group = ServiceGroupConfiguration(services: services, gracefulShutdownSignals: signals, logger: logger)
        group.maximumGracefulShutdownDuration = .seconds(settings.shutdownGrace)
        let what = collector == nil
            ? "reports only (--no-collect) over \(Self.shown(settings.database))"
            : "\(settings.symbols.map(\.name).joined(separator: ",")) into \(Self.shown(settings.database))"
        say("running: \(what); "
            + "\(settings.reports.count) report(s) [\(settings.reports.map { "\($0.name) \($0.schedule)" }.joined(separator: "; "))]; "
            + "dashboard http://\(settings.listenHost):\(settings.listenPort)/ (/healthz, /metrics); Ctrl-C to stop")
        try await ServiceGroup(configuration: group).run()
        return collector?.stats.snapshot() ?? CollectorStats.Snapshot()
    }

    /// The database as shown on the start line: a PostgreSQL URL without its password.
    private static func shown(_ database: String) -> String {
        (try? StoreLocation(parsing: database).description) ?? database
    }

    /// The report scheduler, with a duration timer per report and a trigger counter per alert rule, each at 0 from
    /// the start so that /metrics lists them before the first report or alert.
    private func makeScheduler(_ stores: RunStores, pool: NIOThreadPool) -> ReportScheduler<ContinuousClock> {
        let reportTimers = Dictionary(
            settings.reports.map { ($0.path, Metrics.Timer(label: MetricNames.reportDuration, dimensions: [(MetricNames.Dimension.report, $0.name)])) },
            uniquingKeysWith: { first, _ in first })
        let alertTriggers = Dictionary(
            settings.reports.flatMap(\.alertRules).map { ($0, Metrics.Counter(label: MetricNames.alertTriggers, dimensions: [(MetricNames.Dimension.rule, $0)])) },
            uniquingKeysWith: { first, _ in first })
        let worker = LeaseHolder.thisProcess()
        let jobs = settings.reports.map { report in
            let runner = ScheduledReportRunner(
                report: report, store: stores.dashboard, outputRoot: settings.outputRoot, keepFor: settings.keepReportsFor,
                deliveries: deliveries, alertTriggers: alertTriggers, worker: worker, pool: pool, logger: logger)
            return ScheduledJob(name: report.path, schedule: report.schedule) { slot in try await runner.run(slot: slot) }
        }
        return ReportScheduler(
            jobs: jobs,
            configuration: .init(missedRuns: settings.catchUp ? .runMostRecent : .skip),
            lastRun: stores.lastRun,  // ok/alert runs only
            onRun: { run in reportTimers[run.job]?.recordMilliseconds(run.duration.milliseconds) },
            logger: logger)
    }

    /// Health, metrics and the dashboard on one address, the live feed that pushes bars to the dashboard's pages,
    /// and live alerts: the dashboard's rules and the scheduled scripts', on every bar close of their timeframe (a
    /// newly firing rule runs its script's on_trigger and is mailed, ``LiveAlertDelivery``).
    private func makeHTTP(store: any DashboardStore, collector: LiveCollector?, health: HealthMonitor<ContinuousClock>, feedSignal: FeedSignal) throws
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
