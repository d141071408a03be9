import Hummingbird
import Logging
import Monitoring
import ServiceLifecycle

/// `pairbook serve`: the dashboard's routes on a server of their own, as a `Service`.
///
/// Put the ``LiveFeed`` after it in the service group: shutdown runs in reverse, so the feed ends every event
/// stream first and the server's graceful shutdown then has no open stream to wait for.
public struct DashboardServer: Service {
    private let dashboard: Dashboard
    private let host: String
    private let port: Int
    private let logger: Logger
    private let onServerRunning: @Sendable (_ port: Int) async -> Void

    /// - Throws: ``DashboardError/tokenRequired(host:)`` when `host` is not a loopback address and no token is set.
    public init(dashboard: Dashboard, host: String = "127.0.0.1", port: Int = 8080, logger: Logger,
                onServerRunning: @escaping @Sendable (_ port: Int) async -> Void = { _ in }) throws {
        if !DashboardConfiguration.isLoopback(host) && dashboard.configuration.token == nil {
            throw DashboardError.tokenRequired(host: host)
        }
        self.dashboard = dashboard
        self.host = host
        self.port = port
        self.logger = logger
        self.onServerRunning = onServerRunning
    }

    public func run() async throws {
        try await makeApplication().run()
    }

    /// The Hummingbird application behind ``run()``; tests drive it with HummingbirdTesting.
    public func makeApplication() -> some ApplicationProtocol {
        let router = Router(context: BasicRequestContext.self)
        router.addRoutes(dashboard.routes())
        let logger = self.logger, onServerRunning = self.onServerRunning
        return Application(
            router: router,
            server: .http1(configuration: .init(idleTimeout: MonitoringServer.idleTimeout)),
            configuration: ApplicationConfiguration(address: .hostname(host, port: port), serverName: "pairbook"),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? 0
                logger.info("dashboard listening", metadata: ["http.port": "\(port)"])
                await onServerRunning(port)
            },
            logger: logger)
    }
}
