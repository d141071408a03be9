import Foundation
import Hummingbird
import Logging
import NIOCore
import Prometheus
import ServiceLifecycle

/// The HTTP side of `pairbook run`: health, metrics and the latest reports, as a `Service` (Hummingbird 2).
///
/// | route | answer |
/// | --- | --- |
/// | `GET /healthz` | `200` with a JSON ``HealthReport`` when every check passes; `503` with the same JSON (and its `reasons`) otherwise |
/// | `GET /metrics` | the registry in Prometheus text format 0.0.4 (see ``MetricNames``) |
/// | `GET /reports/latest/<name>` | `<outputDirectory>/<name>/scheduled/latest/report.html` (the scheduler's newest run) |
/// | `GET /reports/latest/<name>/<file>` | another file of that folder (charts, CSV) |
///
/// Report names and file names are single path components of letters, digits, `.`, `_` and `-`, not starting with
/// `.`; anything else is `404`, so no request reaches outside the output folder. Binds to `127.0.0.1:9464` by default.
///
/// ```swift
/// let registry = PrometheusCollectorRegistry()
/// MetricsSystem.bootstrap(PairbookMetricsFactory(registry: registry))   // once, in the CLI
/// let http = MonitoringServer(configuration: .init(port: 9464), registry: registry, health: { await status.health() }, logger: logger)
/// ```
public struct MonitoringServer: Service {
    /// Where to listen and what to serve.
    public struct Configuration: Sendable {
        /// Interface to bind; the loopback interface unless the user asks otherwise.
        public var host: String
        /// TCP port; `0` picks a free one (tests).
        public var port: Int
        /// The reports' output folder (`output/`).
        public var outputDirectory: String
        /// How long a connection may sit without a request in progress before it is closed (``MonitoringServer/idleTimeout``).
        public var idleTimeout: TimeAmount

        public init(host: String = "127.0.0.1", port: Int = 9464, outputDirectory: String = "output",
                    idleTimeout: TimeAmount = MonitoringServer.idleTimeout) {
            self.host = host
            self.port = port
            self.outputDirectory = outputDirectory
            self.idleTimeout = idleTimeout
        }
    }

    public let configuration: Configuration
    private let registry: PrometheusCollectorRegistry
    private let health: @Sendable () async -> HealthReport
    private let logger: Logger
    private let onServerRunning: @Sendable (_ port: Int) async -> Void
    private let additionalRoutes: (@Sendable () -> RouteCollection<BasicRequestContext>)?

    /// - Parameters:
    ///   - configuration: address and output folder.
    ///   - registry: the registry that the process's `MetricsSystem` factory writes to.
    ///   - health: builds the current health report; called on every `GET /healthz`.
    ///   - logger: the server's logger.
    ///   - onServerRunning: called with the bound port once the server listens.
    ///   - additionalRoutes: more routes served on the same address (the dashboard in `pairbook run`).
    public init(
        configuration: Configuration = .init(),
        registry: PrometheusCollectorRegistry,
        health: @escaping @Sendable () async -> HealthReport,
        logger: Logger,
        additionalRoutes: (@Sendable () -> RouteCollection<BasicRequestContext>)? = nil,
        onServerRunning: @escaping @Sendable (_ port: Int) async -> Void = { _ in }
    ) {
        self.additionalRoutes = additionalRoutes
        self.configuration = configuration
        self.registry = registry
        self.health = health
        self.logger = logger
        self.onServerRunning = onServerRunning
    }

    /// Serves until graceful shutdown (stops accepting, finishes open requests) or cancellation.
    public func run() async throws {
        try await makeApplication().run()
    }

    /// The Hummingbird application behind ``run()``; tests drive it with HummingbirdTesting.
    public func makeApplication() -> some ApplicationProtocol {
        let onServerRunning = self.onServerRunning
        let logger = self.logger
        return Application(
            router: makeRouter(),
            server: .http1(configuration: .init(idleTimeout: configuration.idleTimeout)),
            configuration: ApplicationConfiguration(
                address: .hostname(configuration.host, port: configuration.port), serverName: "pairbook"),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? 0
                logger.info("monitoring server listening", metadata: ["http.port": "\(port)"])
                await onServerRunning(port)
            },
            logger: logger)
    }

    /// How long a connection may sit without a request in progress (a keep-alive left open, a request that stops
    /// half-way) before it is closed; a response being written (an event stream, a file) is never cut.
    public static let idleTimeout: TimeAmount = .seconds(60)

    // MARK: - Routes

    func makeRouter() -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        let health = self.health
        let registry = self.registry
        let output = self.configuration.outputDirectory

        router.get("healthz") { _, _ -> Response in
            let report = await health()
            return Self.json(HealthBody(report), status: report.isHealthy ? .ok : .serviceUnavailable)
        }

        router.get("metrics") { _, _ -> Response in
            Response(
                status: .ok,
                headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: registry.emitToBuffer())))
        }

        let fileIO = FileIO()
        router.get("reports/latest/:name") { _, context -> Response in
            let name = try context.parameters.require("name")
            return try await Self.file(Self.path(in: output, report: name, file: "report.html"), name: "report.html", fileIO: fileIO, context: context)
        }

        router.get("reports/latest/:name/:file") { _, context -> Response in
            let name = try context.parameters.require("name")
            let file = try context.parameters.require("file")
            return try await Self.file(Self.path(in: output, report: name, file: file), name: file, fileIO: fileIO, context: context)
        }
        if let additionalRoutes { router.addRoutes(additionalRoutes()) }
        return router
    }

    /// The JSON shape of `/healthz`.
    struct HealthBody: Codable {
        var status: String
        var checks: [HealthReport.Check]
        var reasons: [String]

        init(_ report: HealthReport) {
            status = report.isHealthy ? "ok" : "unhealthy"
            checks = report.checks
            reasons = report.reasons
        }
    }

    private static func json(_ value: some Encodable, status: HTTPResponse.Status) -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let bytes = (try? encoder.encode(value)).map { Array($0) } ?? Array(#"{"status":"unhealthy"}"#.utf8)
        return Response(
            status: status,
            headers: [.contentType: "application/json; charset=utf-8", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    // MARK: - Safe file serving

    static func isSafeComponent(_ component: String) -> Bool { SafeFile.isSafeComponent(component) }

    /// The file of a report's newest scheduled run, or nil when a name is not one plain path component.
    static func path(in output: String, report: String, file: String) -> String? {
        guard isSafeComponent(report), isSafeComponent(file) else { return nil }
        return "\(output)/\(report)/scheduled/latest/\(file)"
    }

    /// Streams the file from disk in chunks (NIO's file system, off the event loop): a large CSV is never held in
    /// memory, and a slow client only slows its own response.
    static func file(_ path: String?, name: String, fileIO: FileIO, context: some RequestContext) async throws -> Response {
        guard let path, FileManager.default.isReadableFile(atPath: path) else { return notFound() }
        do {
            let body = try await fileIO.loadFile(path: path, context: context)
            return Response(status: .ok, headers: [.contentType: contentType(of: name), .cacheControl: "no-cache"], body: body)
        } catch {
            return notFound()
        }
    }

    private static func notFound() -> Response {
        Response(
            status: .notFound, headers: [.contentType: "text/plain; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: "no such report\n")))
    }

    static func contentType(of file: String) -> String { SafeFile.contentType(of: file) }
}
