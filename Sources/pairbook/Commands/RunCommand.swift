import Alerts
import ArgumentParser
import Collector
import Dashboard
import Delivery
import Foundation
import Hummingbird
import Logging
import Market
import Metrics
import Monitoring
import Prometheus
import ReportEngine
import Scheduler
import ServiceLifecycle
import Storage
import Synchronization
import UnixSignals
import Yams

/// `pairbook run`: the collector, the report scheduler, delivery and the health/metrics endpoint in one supervised
/// process, until SIGINT/SIGTERM.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Record live trades and run scheduled reports in one process, with health and metrics over HTTP.",
        discussion: """
            Settings come from --config (YAML) and flags; a flag wins over the file. Every report script must have a `schedule:` (cron, UTC; @hourly, @daily …). Everything is checked before anything starts: a bad config, script or schedule stops start-up with one line. After downtime the most recent missed run of each report is made once (--no-catch-up to skip).

            HTTP (127.0.0.1:9464 by default): GET /healthz, /metrics, /reports/latest/<name>. SMTP credentials come from PAIRBOOK_SMTP_USER / PAIRBOOK_SMTP_PASSWORD or the file named by `credentials_file:` (user name on line 1, password on line 2). Stop with Ctrl-C or SIGTERM: intake stops, a running report finishes, everything received is committed.

            Example config:
              database: pairbook.sqlite
              symbols: [BTCUSDT, ETHUSDT]
              reports: [Reports/pair-overview.md, Reports/daily-summary.md]
              listen: 127.0.0.1:9464
              delivery:
                folder: /mnt/share/pairbook
                email: { to: [quant@example.com], from: "pairbook <reports@example.com>",
                         smtp: { host: smtp.example.com, port: 587, security: starttls } }
            """)

    @OptionGroup var global: GlobalOptions

    @Option(help: ArgumentHelp("YAML configuration file.", valueName: "path"))
    var config: String?

    @Option(help: ArgumentHelp("Symbols to record, comma-separated (e.g. BTCUSDT,ETHUSDT).", valueName: "list"))
    var symbols: String?

    @Option(help: ArgumentHelp("Stream to record: trade or aggTrade.", valueName: "kind"))
    var stream: StreamKind?

    @Option(help: ArgumentHelp("WebSocket base URL (default wss://fstream.binance.com plus /public or /market).", valueName: "url"))
    var endpoint: String?

    @Option(name: .customLong("rest-endpoint"), help: ArgumentHelp(
        "REST base URL to backfill gaps from (e.g. https://fapi.binance.com; trade streams also need BINANCE_API_KEY).",
        valueName: "url"))
    var restEndpoint: String?

    @Option(name: .customLong("report"), help: ArgumentHelp("A report script to schedule (repeatable).", valueName: "script"))
    var reports: [String] = []

    @Option(help: ArgumentHelp("HTTP address for /healthz, /metrics and /reports/latest.", valueName: "host:port"))
    var listen: String?

    @Option(help: ArgumentHelp("Output folder for reports (default output).", valueName: "dir"))
    var out: String?

    @Option(name: .customLong("copy-to"), help: ArgumentHelp("Also copy each report's files into this folder.", valueName: "dir"))
    var copyTo: String?

    @Option(name: .customLong("email"), help: ArgumentHelp("Mail each report's PDF to this address (repeatable; needs smtp in the config).", valueName: "address"))
    var emails: [String] = []

    @Option(name: .customLong("keep-reports-for"), help: ArgumentHelp(
        "Remove a scheduled report's run folders older than this (e.g. 30d, 12w; `forever` keeps all; default 30d).",
        valueName: "span"))
    var keepReportsFor: String?

    @Flag(name: .customLong("no-catch-up"), help: "Do not make the most recent missed run of each report on start.")
    var noCatchUp = false

    @Option(help: ArgumentHelp("Dashboard access token (default $PAIRBOOK_TOKEN); required when listening beyond loopback.", valueName: "token"))
    var token: String?

    @Flag(help: "Do not verify the exchange's TLS certificate (test servers only).")
    var insecure = false

    @Option(name: .customLong("ca-file"), help: ArgumentHelp("PEM file of the CA to trust for the exchange stream.", valueName: "path"))
    var caFile: String?

    func run() async throws {
        // MARK: Configuration, all checked before anything runs
        let file = try config.map(RunConfiguration.load) ?? RunConfiguration()
        let settings = try RunSettings(command: self, file: file)
        let logger = global.makeLogger(label: "pairbook.run")

        // MARK: Metrics (bootstrapped once, here, before any component creates its metrics)
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory.pairbook(registry: registry))
        let deliveries = try settings.deliveries.make(logger: logger)  // reads credentials: fail before starting

        // MARK: Collector
        let store = try Store(path: settings.database, logger: logger)
        let queue = LiveEventQueue()
        let stats = CollectorStats()
        // Each commit wakes the dashboard's live feed, so new bars reach the pages without waiting for its poll.
        let feedSignal = FeedSignal()
        let commit = LiveRecorder.commit(through: Recorder(store: store, timeframes: settings.timeframes, logger: logger))
        let recorder = LiveRecorder(queue: queue, stats: stats, logger: logger) { batch in
            try commit(batch)
            feedSignal.ring()
        }
        // The gap detector resumes where the database ends: a hole across the downtime becomes a gap.
        let streamService = BinanceStream(
            configuration: BinanceStreamConfiguration(
                symbols: settings.symbols, kind: settings.stream, endpoint: settings.endpoint,
                tls: try BinanceStreamConfiguration.tlsConfiguration(insecure: insecure, caFile: caFile)),
            queue: queue, stats: stats, logger: logger, lastStoredTrades: try store.lastTicks(of: settings.symbols))
        let status = CollectorStatusReporter(stats: stats, queue: queue, interval: .seconds(10), logger: logger) { line in
            Console.line(line)
            fflush(nil)  // stdout may be a pipe (systemd): show the line now
        }
        let backfill = GapBackfill.forStream(
            kind: settings.stream, restEndpoint: settings.restEndpoint,
            apiKey: ProcessInfo.processInfo.environment[HistoricalTradesClient.apiKeyEnvironmentVariable], store: store,
            symbols: settings.symbols, queue: queue, logger: logger)
        let collectorMetrics = CollectorMetrics(stats: stats, symbols: settings.symbols)

        // MARK: Scheduler
        // Every series exists from the start (at 0), so /metrics lists them before the first report or alert.
        let reportTimers = Dictionary(
            settings.reports.map { ($0.name, Metrics.Timer(label: MetricNames.reportDuration, dimensions: [(MetricNames.Dimension.report, $0.name)])) },
            uniquingKeysWith: { first, _ in first })
        let alertTriggers = Dictionary(
            settings.reports.flatMap(\.alertRules).map { ($0, Metrics.Counter(label: MetricNames.alertTriggers, dimensions: [(MetricNames.Dimension.rule, $0)])) },
            uniquingKeysWith: { first, _ in first })
        let jobs = settings.reports.map { report in
            ScheduledJob(name: report.path, schedule: report.schedule) { slot in
                try await Self.runReport(
                    report, slot: slot, store: store, outputRoot: settings.outputRoot, keepFor: settings.keepReportsFor,
                    deliveries: deliveries, alertTriggers: alertTriggers, logger: logger)
            }
        }
        let scheduler = ReportScheduler(
            jobs: jobs,
            configuration: .init(missedRuns: settings.catchUp ? .runMostRecent : .skip),
            lastRun: { script in try await store.lastReportRun(script: script) },  // ok/alert runs only
            onRun: { run in
                if let name = settings.reports.first(where: { $0.path == run.job })?.name {
                    reportTimers[name]?.recordMilliseconds(run.duration.milliseconds)
                }
            },
            logger: logger)

        // MARK: HTTP: health, metrics and the dashboard on one address
        let freshness = FreshnessTracker(maximumAge: settings.maximumDataAge)
        let hub = EventHub()
        let collectorView = CollectorViewSource(stats: stats, symbols: settings.symbols)
        let dashboard = try settings.dashboard.map { configuration in
            try Dashboard(configuration: configuration, store: store, hub: hub, collector: { collectorView.view() }, logger: logger)
        }
        if dashboard == nil {
            logger.warning("dashboard disabled: listening beyond loopback needs an access token (--token, PAIRBOOK_TOKEN or `token:`)")
        }
        var dashboardRoutes: (@Sendable () -> RouteCollection<BasicRequestContext>)?
        if let dashboard { dashboardRoutes = { dashboard.routes() } }
        // Live alerts: the dashboard's rules and the scheduled scripts', on every bar close of their timeframe.
        let alerts = LiveAlerts(store: store, hub: hub, scripts: settings.reports.map(\.script), logger: logger)
        let feed = LiveFeed(store: store, hub: hub, timeframes: settings.timeframes, collector: { collectorView.view() }, signal: feedSignal,
                            onBarsClosed: { await alerts.barsClosed($0) }, logger: logger)
        let http = MonitoringServer(
            configuration: .init(host: settings.listenHost, port: settings.listenPort, outputDirectory: settings.outputRoot),
            registry: registry,
            health: { freshness.health(stats: stats.snapshot(), store: store) },
            logger: logger,
            additionalRoutes: dashboardRoutes)

        // Shutdown runs in reverse: HTTP, scheduler, metrics, status and backfill stop first, the recorder flushes last.
        let collectorServices: [any Service] = [recorder, streamService] + (backfill.map { [$0] } ?? [])
        var group = ServiceGroupConfiguration(
            services: collectorServices + [status, collectorMetrics, scheduler, http, feed],
            gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        group.maximumGracefulShutdownDuration = .seconds(settings.shutdownGrace)
        Console.line(
            "running: \(settings.symbols.map(\.name).joined(separator: ",")) into \(settings.database); "
                + "\(settings.reports.count) report(s) [\(settings.reports.map { "\($0.name) \($0.schedule)" }.joined(separator: "; "))]; "
                + "dashboard http://\(settings.listenHost):\(settings.listenPort)/ (/healthz, /metrics); Ctrl-C to stop")
        fflush(nil)
        try await ServiceGroup(configuration: group).run()
        let final = stats.snapshot()
        Console.line("stopped: \(final.committedTicks) trades committed, \(final.gaps) gap(s), \(final.reconnects) reconnect(s)")
    }

    // MARK: - One scheduled report

    /// Runs a report for a slot on its own thread, counts its alert triggers, then hands it to every delivery (a
    /// failed delivery is logged, counted by the delivery and noted on the run's `report_runs` row), then runs the
    /// script's `on_trigger` command if an alert newly fired, and last removes the report's run folders older than
    /// `keepFor` (the `report_runs` rows stay).
    ///
    /// A trigger is a transition to `firing` at a time after the schedule's previous slot: report windows overlap
    /// (an hourly report over 24 h sees the same transition 24 times), so each transition is counted by the first
    /// run whose new interval holds it, and an alert that stays firing is not counted again.
    static func runReport(
        _ report: ScheduledReport, slot: Timestamp, store: Store, outputRoot: String, keepFor: TimeSpan?, deliveries: [any ReportDelivery],
        alertTriggers: [String: Metrics.Counter], logger: Logger
    ) async throws {
        let job = ReportJob(scriptPath: report.path, at: slot, outputRoot: outputRoot)
        let result = try await onDedicatedThread { try job.run(store: store, logger: logger) }
        let previousSlot = report.schedule.previous(before: slot)
        var newTriggers = 0
        for finding in result.report.findings {
            let triggers = finding.transitions.filter { $0.state == .firing && $0.time > previousSlot && $0.time <= slot }.count
            guard triggers > 0 else { continue }
            newTriggers += triggers
            let counter = alertTriggers[finding.rule]
                ?? Metrics.Counter(label: MetricNames.alertTriggers, dimensions: [(MetricNames.Dimension.rule, finding.rule)])
            counter.increment(by: Int64(triggers))
        }
        // Each delivery logs and counts its own failure; the run's row says `delivery_failed`.
        _ = await ReportDeliveries.deliver(result, generatedAt: slot, to: deliveries, store: store)
        // `on_trigger` once per new trigger, not on every run while an alert stays firing.
        if newTriggers > 0, let command = result.onTrigger {
            await TriggerCommand(command).run(for: result, logger: logger)
        }
        if let keepFor {
            let pruning = result.layout.removeRuns(before: slot - keepFor)
            if !pruning.removed.isEmpty {
                logger.info("removed old report runs", metadata: [
                    "report": "\(report.name)", "report.removed": "\(pruning.removed.count)", "report.keep_for": "\(keepFor)",
                ])
            }
            for failure in pruning.failures {
                logger.warning("could not remove an old report run", metadata: ["report": "\(report.name)", "error": "\(failure)"])
            }
        }
    }
}

/// Runs blocking work (SQLite reads, Cairo and PDF rendering) on a thread of its own, so that a long report does
/// not hold one of the few cooperative threads the collector needs. A new thread per report run (minutes apart).
private func onDedicatedThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        let thread = Thread { continuation.resume(with: Result { try body() }) }
        thread.name = "pairbook-report"
        thread.start()
    }
}

// MARK: - Configuration file

/// A configuration problem found before start-up; printed by ArgumentParser as `Error: <description>` (exit 1).
struct RunError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// `pairbook.yaml`: every key optional; flags override.
struct RunConfiguration: Decodable {
    var database: String?
    var symbols: [String]?
    var stream: StreamKind?
    var endpoint: String?
    var restEndpoint: String?
    var timeframes: [String]?
    var reports: [String]?
    var output: String?
    var listen: String?
    var catchUp: Bool?
    var maxDataAge: String?
    var shutdownGraceSeconds: Int?
    var keepReportsFor: String?
    var token: String?
    var delivery: DeliveryConfiguration?

    struct DeliveryConfiguration: Decodable {
        var folder: String?
        var email: EmailConfiguration?

        enum CodingKeys: String, CodingKey, CaseIterable { case folder, email }

        init(from decoder: any Decoder) throws {
            try decoder.rejectUnknownKeys(allowed: CodingKeys.allCases.map(\.rawValue), in: "delivery")
            let c = try decoder.container(keyedBy: CodingKeys.self)
            folder = try c.decodeIfPresent(String.self, forKey: .folder)
            email = try c.decodeIfPresent(EmailConfiguration.self, forKey: .email)
        }
    }

    struct EmailConfiguration: Decodable {
        var to: [String]
        var from: String
        var attach: [String]?
        var smtp: SMTPSettings

        enum CodingKeys: String, CodingKey, CaseIterable { case to, from, attach, smtp }

        init(from decoder: any Decoder) throws {
            try decoder.rejectUnknownKeys(allowed: CodingKeys.allCases.map(\.rawValue), in: "delivery.email")
            let c = try decoder.container(keyedBy: CodingKeys.self)
            to = try c.decode([String].self, forKey: .to)
            from = try c.decode(String.self, forKey: .from)
            attach = try c.decodeIfPresent([String].self, forKey: .attach)
            smtp = try c.decode(SMTPSettings.self, forKey: .smtp)
        }
    }

    struct SMTPSettings: Decodable {
        var host: String
        var port: Int?
        var security: SMTPConfiguration.Security?
        var auth: SMTPConfiguration.AuthMethod?
        var usernameEnv: String?
        var passwordEnv: String?
        var credentialsFile: String?
        var allowInsecureAuth: Bool?

        enum CodingKeys: String, CodingKey, CaseIterable {
            case host, port, security, auth
            case usernameEnv = "username_env", passwordEnv = "password_env", credentialsFile = "credentials_file"
            case allowInsecureAuth = "allow_insecure_auth"
        }

        init(from decoder: any Decoder) throws {
            try decoder.rejectUnknownKeys(allowed: CodingKeys.allCases.map(\.rawValue), in: "delivery.email.smtp")
            let c = try decoder.container(keyedBy: CodingKeys.self)
            host = try c.decode(String.self, forKey: .host)
            port = try c.decodeIfPresent(Int.self, forKey: .port)
            security = try c.decodeIfPresent(SMTPConfiguration.Security.self, forKey: .security)
            auth = try c.decodeIfPresent(SMTPConfiguration.AuthMethod.self, forKey: .auth)
            usernameEnv = try c.decodeIfPresent(String.self, forKey: .usernameEnv)
            passwordEnv = try c.decodeIfPresent(String.self, forKey: .passwordEnv)
            credentialsFile = try c.decodeIfPresent(String.self, forKey: .credentialsFile)
            allowInsecureAuth = try c.decodeIfPresent(Bool.self, forKey: .allowInsecureAuth)
        }
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case database, symbols, stream, endpoint, timeframes, reports, output, listen, delivery, token
        case catchUp = "catch_up", maxDataAge = "max_data_age", shutdownGraceSeconds = "shutdown_grace_seconds"
        case restEndpoint = "rest_endpoint", keepReportsFor = "keep_reports_for"
    }

    init() {}

    /// Decodes the file's keys; a key that is not one of ``CodingKeys`` (a typo such as `keep_report_for`) is an
    /// error naming it, never silently ignored.
    init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(allowed: CodingKeys.allCases.map(\.rawValue), in: "pairbook run configuration")
        let c = try decoder.container(keyedBy: CodingKeys.self)
        database = try c.decodeIfPresent(String.self, forKey: .database)
        symbols = try c.decodeIfPresent([String].self, forKey: .symbols)
        stream = try c.decodeIfPresent(StreamKind.self, forKey: .stream)
        endpoint = try c.decodeIfPresent(String.self, forKey: .endpoint)
        restEndpoint = try c.decodeIfPresent(String.self, forKey: .restEndpoint)
        timeframes = try c.decodeIfPresent([String].self, forKey: .timeframes)
        reports = try c.decodeIfPresent([String].self, forKey: .reports)
        output = try c.decodeIfPresent(String.self, forKey: .output)
        listen = try c.decodeIfPresent(String.self, forKey: .listen)
        catchUp = try c.decodeIfPresent(Bool.self, forKey: .catchUp)
        maxDataAge = try c.decodeIfPresent(String.self, forKey: .maxDataAge)
        shutdownGraceSeconds = try c.decodeIfPresent(Int.self, forKey: .shutdownGraceSeconds)
        keepReportsFor = try c.decodeIfPresent(String.self, forKey: .keepReportsFor)
        delivery = try c.decodeIfPresent(DeliveryConfiguration.self, forKey: .delivery)
        token = try c.decodeIfPresent(String.self, forKey: .token)
    }

    /// Reads and decodes the file; errors name the file.
    static func load(_ path: String) throws -> RunConfiguration {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw RunError("--config \(path): cannot read the file")
        }
        do {
            return try YAMLDecoder().decode(RunConfiguration.self, from: String(decoding: data, as: UTF8.self))
        } catch let error as DecodingError {
            throw RunError("--config \(path): \(Self.describe(error))")
        } catch {
            throw RunError("--config \(path): \(error)")
        }
    }

    private static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
        }
        switch error {
        case .keyNotFound(let key, let context):
            return "missing key \(path(context)).\(key.stringValue)"
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            return "\(path(context)): \(context.debugDescription)"
        @unknown default:
            return "\(error)"
        }
    }
}

/// A report script to schedule, parsed and checked.
struct ScheduledReport: Sendable {
    var path: String
    var name: String
    var schedule: CronExpression
    /// Names of the script's alert rules (the `rule` dimension of the alert-trigger counter).
    var alertRules: [String]
    /// The parsed script.
    var script: ReportScript
}

/// The effective settings: the file, overridden by flags, validated.
struct RunSettings: Sendable {
    var database: String
    var symbols: [Symbol]
    var stream: StreamKind
    var endpoint: String?
    var timeframes: [Timeframe]
    var reports: [ScheduledReport]
    var outputRoot: String
    var listenHost: String
    var listenPort: Int
    var catchUp: Bool
    var maximumDataAge: TimeSpan
    var shutdownGrace: Int64
    var restEndpoint: String?
    var deliveries: ReportDeliveries
    /// Run folders older than this are removed after each scheduled run; nil keeps them all.
    var keepReportsFor: TimeSpan?
    /// The dashboard served on the listen address; nil when it would listen beyond loopback without a token.
    var dashboard: DashboardConfiguration?

    init(command: RunCommand, file: RunConfiguration) throws {
        database = command.global.db ?? file.database ?? command.global.databasePath
        let symbolText = command.symbols ?? file.symbols?.joined(separator: ",")
        guard let symbolText else { throw RunError("no symbols: give --symbols or `symbols:` in the config") }
        do { symbols = try Symbol.parseList(symbolText) } catch { throw RunError("symbols: \(error)") }
        stream = command.stream ?? file.stream ?? .trade
        endpoint = command.endpoint ?? file.endpoint
        if let endpoint, !(endpoint.hasPrefix("ws://") || endpoint.hasPrefix("wss://")) {
            throw RunError("endpoint must start with ws:// or wss:// (got \(endpoint))")
        }
        restEndpoint = command.restEndpoint ?? file.restEndpoint
        if let restEndpoint, !(restEndpoint.hasPrefix("http://") || restEndpoint.hasPrefix("https://")) {
            throw RunError("rest_endpoint must start with http:// or https:// (got \(restEndpoint))")
        }
        do { timeframes = try Timeframe.parseList((file.timeframes ?? ["1s", "1m", "5m"]).joined(separator: ",")) } catch {
            throw RunError("timeframes: \(error)")
        }
        outputRoot = command.out ?? file.output ?? "output"
        catchUp = !command.noCatchUp && (file.catchUp ?? true)
        do { maximumDataAge = try TimeSpan(parsing: file.maxDataAge ?? "2m") } catch { throw RunError("max_data_age: \(error)") }
        shutdownGrace = Int64(file.shutdownGraceSeconds ?? 60)
        let keep = command.keepReportsFor ?? file.keepReportsFor ?? "30d"
        if keep == "forever" {
            keepReportsFor = nil
        } else {
            do { keepReportsFor = try TimeSpan(parsing: keep) } catch {
                throw RunError("keep_reports_for: expected a span such as 30d or 12w, or `forever` (got \(keep))")
            }
        }

        // Reports: each must parse and have a valid schedule.
        let paths = command.reports.isEmpty ? (file.reports ?? []) : command.reports
        reports = try paths.map { path in
            let script: ReportScript
            do { script = try ReportScript(contentsOf: path) } catch { throw RunError("\(error)") }
            guard let cron = script.schedule else {
                throw RunError("\(path): no `schedule:` in the front matter; `pairbook run` needs one (e.g. \"5 * * * *\", @daily)")
            }
            return ScheduledReport(path: path, name: script.name, schedule: cron, alertRules: script.alerts.map(\.name), script: script)
        }

        // HTTP address.
        let listen = command.listen ?? file.listen ?? "127.0.0.1:9464"
        (listenHost, listenPort) = try Self.parseListen(listen)

        // Delivery.
        deliveries = try ReportDeliveries(copyTo: command.copyTo, emails: command.emails, configuration: file.delivery)

        // Dashboard: the scheduled scripts' folder (else Reports/) for its Export tab and live pages.
        let token = command.token ?? ProcessInfo.processInfo.environment["PAIRBOOK_TOKEN"].flatMap { $0.isEmpty ? nil : $0 } ?? file.token
        let scriptsFolder = paths.first.map { URL(fileURLWithPath: $0).deletingLastPathComponent().path }
            ?? (FileManager.default.fileExists(atPath: "Reports") ? "Reports" : nil)
        dashboard = DashboardConfiguration.isLoopback(listenHost) || token != nil
            ? DashboardConfiguration(reportsDirectory: scriptsFolder, outputDirectory: outputRoot,
                                     templatesDirectory: TemplateSet.locate(), token: token)
            : nil
    }

    /// `host:port`, `:port`, `port` or `[v6]:port`.
    static func parseListen(_ text: String) throws -> (String, Int) {
        var host = "127.0.0.1"
        var portText = text
        if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
            host = String(text[text.index(after: text.startIndex)..<close])
            portText = String(text[text.index(after: close)...].drop { $0 == ":" })
        } else if let colon = text.lastIndex(of: ":") {
            if colon != text.startIndex { host = String(text[..<colon]) }
            portText = String(text[text.index(after: colon)...])
        }
        guard let port = Int(portText), (0...65535).contains(port) else {
            throw RunError("listen: expected HOST:PORT (e.g. 127.0.0.1:9464), got \(text)")
        }
        return (host, port)
    }
}

// MARK: - Health and collector metrics

/// Health for `/healthz`: the stream is connected, the database takes a write, and trades were committed recently.
final class FreshnessTracker: Sendable {
    private struct State {
        var committed = -1
        var lastProgress = SystemTime.now()
    }

    private let state = Mutex(State())
    private let maximumAge: TimeSpan

    init(maximumAge: TimeSpan) { self.maximumAge = maximumAge }

    func health(stats: CollectorStats.Snapshot, store: Store) -> HealthReport {
        let now = SystemTime.now()
        let lastProgress = state.withLock { state in
            if stats.committedTicks != state.committed {
                state.committed = stats.committedTicks
                state.lastProgress = now
            }
            return state.lastProgress
        }
        var checks: [HealthReport.Check] = []
        checks.append(
            .init(
                name: "collector", ok: stats.openConnections > 0,
                detail: stats.openConnections > 0 ? "\(stats.openConnections) connection(s) open" : "no open stream connection"))
        do {
            try store.write { _ in }
            checks.append(.init(name: "database", ok: true, detail: "writable"))
        } catch {
            checks.append(.init(name: "database", ok: false, detail: "\(error)"))
        }
        let age = now - lastProgress
        checks.append(
            .init(
                name: "data", ok: age <= maximumAge,
                detail: "\(stats.committedTicks) trades committed; last new trade \(age.milliseconds / 1000)s ago (limit \(maximumAge))"))
        return HealthReport(checks: checks)
    }
}

/// Mirrors the collector's counters into swift-metrics once a second (the collector counts in ``CollectorStats``),
/// with the heap memory SQLite holds. The configured symbols' tick counters exist from the start, at 0.
struct CollectorMetrics: Service {
    let stats: CollectorStats
    let symbols: [Symbol]

    func run() async throws {
        let frames = Metrics.Counter(label: MetricNames.frames)
        let reconnects = Metrics.Counter(label: MetricNames.reconnects)
        let gaps = Metrics.Counter(label: MetricNames.gaps)
        let sqliteMemory = Metrics.Gauge(label: MetricNames.sqliteMemory)
        var perSymbol = Dictionary(
            symbols.map { ($0, Metrics.Counter(label: MetricNames.ticksIngested, dimensions: [(MetricNames.Dimension.symbol, $0.name)])) },
            uniquingKeysWith: { first, _ in first })
        var previous = CollectorStats.Snapshot()
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            let current = stats.snapshot()
            frames.increment(by: Int64(max(0, current.frames - previous.frames)))
            reconnects.increment(by: Int64(max(0, current.reconnects - previous.reconnects)))
            gaps.increment(by: Int64(max(0, current.gaps - previous.gaps)))
            for (symbol, count) in current.ticks {
                let counter = perSymbol[symbol] ?? Metrics.Counter(label: MetricNames.ticksIngested, dimensions: [(MetricNames.Dimension.symbol, symbol.name)])
                perSymbol[symbol] = counter
                counter.increment(by: Int64(max(0, count - (previous.ticks[symbol] ?? 0))))
            }
            sqliteMemory.record(Store.sqliteMemoryUsed)
            previous = current
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(1)) }
            } catch {
                return
            }
        }
    }
}
