import Foundation
import Hummingbird
import Logging
import Market
import NIOCore
import NIOPosix
import Storage

/// The live web dashboard: the page, its assets, the JSON API and the event stream, as routes that
/// `pairbook serve` runs on a server of their own and `pairbook run` adds beside `/healthz` and `/metrics`.
///
/// | route | what |
/// | --- | --- |
/// | `GET /` | the page: Overview, Analytics, Alerts and Export tabs |
/// | `GET /reports/{name}`, `GET /api/reports/{name}/page` | a report script as a live page, and its cells as data |
/// | `GET /api/symbols`, `/api/overview`, `/api/bars`, `/api/pair`, `/api/heatmap.png` | data for the charts |
/// | `GET/POST /api/alerts`, `PUT/DELETE /api/alerts/{id}`, `GET /api/alerts/events` | alert rules and history |
/// | `GET /api/export/{bars,ticks,analytics,findings}.csv` | downloads |
/// | `GET /api/reports`, `POST /api/reports/{name}/run`, `GET /files/…` | report scripts and their output |
/// | `GET /api/events` | Server-Sent Events: bars, analytics, alert transitions, status |
/// | `GET /api/openapi.json` | the OpenAPI document of all of it |
///
/// ```swift
/// let dashboard = try Dashboard(configuration: .init(templatesDirectory: "templates"), store: store, hub: hub, logger: logger)
/// router.addRoutes(dashboard.routes())
/// ```
public struct Dashboard: Sendable {
    public let configuration: DashboardConfiguration
    let store: any DashboardStore
    let hub: EventHub
    let collector: @Sendable () -> CollectorView?
    let now: @Sendable () -> Timestamp
    let logger: Logger
    let page: PageTemplate
    /// The page's assets, Debian's dygraphs files and the OpenAPI document, in memory.
    let staticFiles: StaticFiles
    /// Recent `/api/bars` and `/api/pair` answers, reused while their bars are unchanged.
    let answers = AnswerCache()
    /// The `/api/symbols` catalog, reused while the database is unchanged.
    let catalog = VersionedValue<[SymbolSummary]>()
    /// The per-process token that pages send back on every change (`X-Pairbook-CSRF`).
    let csrfToken: String
    /// Where report runs started from the page are written.
    var onDemandOutput: String { configuration.outputDirectory + "/on-demand" }

    /// - Throws: ``DashboardError`` when the page template or its assets are missing.
    public init(configuration: DashboardConfiguration, store: any DashboardStore, hub: EventHub,
                collector: @escaping @Sendable () -> CollectorView? = { nil },
                now: @escaping @Sendable () -> Timestamp = Timestamp.now, logger: Logger) throws {
        self.configuration = configuration
        self.store = store
        self.hub = hub
        self.collector = collector
        self.now = now
        self.logger = logger
        self.page = try PageTemplate(directory: configuration.templatesDirectory + "/dashboard")
        self.staticFiles = Self.staticFiles(page: page, vendorDirectory: configuration.vendorDirectory + "/dygraphs")
        self.csrfToken = Self.randomToken()
    }

    /// Every route of the dashboard, behind its security middleware.
    public func routes() -> RouteCollection<BasicRequestContext> {
        let routes = RouteCollection(context: BasicRequestContext.self)
        routes.add(middleware: SecurityMiddleware(token: configuration.token, csrfToken: csrfToken))
        addPageRoutes(to: routes)
        addDataRoutes(to: routes)
        addAlertRoutes(to: routes)
        addExportRoutes(to: routes)
        addReportRoutes(to: routes)
        addScriptPageRoutes(to: routes)
        addEventRoutes(to: routes)
        return routes
    }

    /// Runs blocking work (SQLite reads, analytics, Cairo) on NIO's thread pool, off the cooperative threads that the
    /// collector and the HTTP server need.
    func offload<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await NIOThreadPool.singleton.runIfActive(body)
    }

    /// The request body, at most `limit` bytes (default: the configured maximum); more is a 413, never a 500.
    func body(of request: Request, limit: Int? = nil) async throws -> Data {
        let limit = limit ?? configuration.maximumBodySize
        do {
            return Data(try await request.body.collect(upTo: limit).readableBytesView)
        } catch {
            throw APIError(.contentTooLarge, "request body larger than \(limit) bytes")
        }
    }

    static func randomToken() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<4).map { _ in String(generator.next() as UInt64, radix: 16) }.joined()
    }
}

/// Why the dashboard cannot start.
public enum DashboardError: Error, CustomStringConvertible, Equatable {
    case missingFile(path: String)
    case tokenRequired(host: String)

    public var description: String {
        switch self {
        case .missingFile(let path): "dashboard file missing: \(path) (is the templates folder complete? --templates DIR)"
        case .tokenRequired(let host):
            "listening on \(host) needs an access token: give --token, PAIRBOOK_TOKEN or `token:` in the config (or listen on 127.0.0.1)"
        }
    }
}
