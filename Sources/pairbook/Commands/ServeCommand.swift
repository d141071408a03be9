import ArgumentParser
import Dashboard
import DataMigration
import Foundation
import Logging
import Market
import PairbookApp
import ReportEngine
import ServiceLifecycle
import Storage
import UnixSignals

/// `pairbook serve`: the live dashboard over a database that something else fills.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the live dashboard (Overview, Analytics, Alerts, Export) over a database.",
        discussion: """
            Opens http://127.0.0.1:8080/ by default. The database may be filled by anything at the same time: \
            `pairbook import`, or a `pairbook collect` / `pairbook run` in another process; new bars reach open pages \
            within a fraction of a second. Listening on an address other than loopback needs an access token \
            (--token or PAIRBOOK_TOKEN): browsers log in once at /login, API clients send `Authorization: Bearer <token>`.
            """)

    @OptionGroup var global: GlobalOptions

    @Option(help: ArgumentHelp("HTTP address.", valueName: "host:port"))
    var listen: String = "127.0.0.1:8080"

    @Option(help: ArgumentHelp("Folder of report scripts for the Export tab and live script pages (default Reports if present).", valueName: "dir"))
    var reports: String?

    @Option(help: ArgumentHelp("Output folder: latest scheduled reports, and runs started from the page.", valueName: "dir"))
    var out: String = "output"

    @Option(help: ArgumentHelp("Templates folder (default: the installed templates).", valueName: "dir"))
    var templates: String?

    @Option(help: ArgumentHelp("Access token (default $PAIRBOOK_TOKEN); required when listening beyond loopback.", valueName: "token"))
    var token: String?

    func run() async throws {
        let logger = global.makeLogger(label: "pairbook.serve")
        let (host, port) = try RunSettings.parseListen(listen)
        try await StoreLocation(parsing: global.databasePath).withDashboardStore(logger: logger) { store in
            let hub = EventHub()
            let reportsFolder = reports ?? (FileManager.default.fileExists(atPath: "Reports") ? "Reports" : nil)
            let dashboard = try Dashboard(
                configuration: DashboardConfiguration(
                    reportsDirectory: reportsFolder, outputDirectory: out, templatesDirectory: TemplateSet.locate(explicit: templates),
                    token: token ?? ProcessInfo.processInfo.environment["PAIRBOOK_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }),
                store: store, hub: hub, logger: logger)
            let server = try DashboardServer(dashboard: dashboard, host: host, port: port, logger: logger) { port in
                Console.line("dashboard: http://\(host.contains(":") ? "[\(host)]" : host):\(port)/  (Ctrl-C to stop)")
                fflush(nil)
            }
            // Dashboard rules are evaluated as bars close, whoever writes them (a collector elsewhere, an import).
            let alerts = LiveAlerts(store: store, hub: hub, scripts: [], logger: logger)
            let feed = LiveFeed(store: store, hub: hub, timeframes: Timeframe.defaults, onBarsClosed: { await alerts.barsClosed($0) },
                                logger: logger)
            try await ServiceGroup(configuration: .init(services: [server, feed], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)).run()
        }
    }
}
