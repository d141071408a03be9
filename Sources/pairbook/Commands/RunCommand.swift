import ArgumentParser
import Collector
import Foundation
import Metrics
import Monitoring
import PairbookApp
import Prometheus

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

    @Option(name: .customLong("keep-ticks-for"), help: ArgumentHelp(
        "Remove trades older than this every hour, bars kept (e.g. 30d; `forever` keeps all, the default).", valueName: "span"))
    var keepTicksFor: String?

    @Flag(name: .customLong("no-catch-up"), help: "Do not make the most recent missed run of each report on start.")
    var noCatchUp = false

    @Option(help: ArgumentHelp("Dashboard access token (default $PAIRBOOK_TOKEN); required when listening beyond loopback.", valueName: "token"))
    var token: String?

    @Flag(name: .customLong("no-collect"), help: "Record nothing: run the reports, the dashboard and live alerts over a database that collectors elsewhere fill (a report worker).")
    var noCollect = false

    @Flag(name: .customLong("share-symbols"), help: "Record symbols that another collector holds (its lease) alongside it instead of refusing to start.")
    var shareSymbols = false

    @Flag(help: "Do not verify the exchange's TLS certificate (test servers only).")
    var insecure = false

    @Option(name: .customLong("ca-file"), help: ArgumentHelp("PEM file of the CA to trust for the exchange stream.", valueName: "path"))
    var caFile: String?

    @Option(help: ArgumentHelp(
        "Also stream the last 1,000 trades per symbol and bar updates to Redis (pairbook:trades:<SYMBOL>, pairbook:bars).",
        valueName: "redis://host:port[/db]"))
    var redis: String?

    func run() async throws {
        // Configuration, all checked before anything runs.
        let file = try config.map(RunConfiguration.load) ?? RunConfiguration()
        let settings = try RunSettings(flags: flags, file: file)
        let logger = global.makeLogger(label: "pairbook.run")
        // Metrics are bootstrapped once, here, before any component creates its metrics.
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PairbookMetricsFactory(registry: registry))
        let app = try PairbookApplication(settings: settings, registry: registry, logger: logger, say: Console.liveLine)
        let final = try await app.run()
        Console.line("stopped: \(final.committedTicks) trades committed, \(final.gaps) gap(s), \(final.reconnects) reconnect(s)")
    }

    /// The command line (and `PAIRBOOK_DB`, `PAIRBOOK_TOKEN`, `BINANCE_API_KEY`), for ``RunSettings``.
    var flags: RunFlags {
        let environment = ProcessInfo.processInfo.environment
        var flags = RunFlags()
        flags.database = global.db
        flags.defaultDatabase = global.databasePath
        flags.symbols = symbols
        flags.stream = stream
        flags.endpoint = endpoint
        flags.restEndpoint = restEndpoint
        flags.reports = reports
        flags.listen = listen
        flags.out = out
        flags.copyTo = copyTo
        flags.emails = emails
        flags.keepReportsFor = keepReportsFor
        flags.keepTicksFor = keepTicksFor
        flags.noCatchUp = noCatchUp
        flags.shareSymbols = shareSymbols
        flags.noCollect = noCollect
        flags.token = token ?? environment["PAIRBOOK_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
        flags.insecure = insecure
        flags.caFile = caFile
        flags.apiKey = environment[HistoricalTradesClient.apiKeyEnvironmentVariable]
        flags.redis = redis
        return flags
    }
}
