import Collector
import Logging
import Market
import PairbookTestSupport
import Storage
import Testing

@Suite("Connect timeout against a server that accepts TCP and never answers the upgrade", .serialized)
struct ConnectTimeoutTests {
    @Test("the hung upgrade is timed out, its socket closed and the connect retried; shutdown does not wait for it",
          .timeLimit(.minutes(5)))
    func silentServer() async throws {
        let harness = try LiveCollectorHarness()
        try await FakeBinanceServer.Silent.withServer { server in
            // Given a collector with a 300 ms connect timeout
            var configuration = LiveCollectorHarness.configuration(endpoint: server.baseURL)
            configuration.connectTimeout = .milliseconds(300)
            configuration.closeTimeout = .milliseconds(200)
            // When the server never answers, the collector keeps retrying and closes what it gave up on
            let shutdown = try await harness.run(configuration) { _ in
                for attempt in 1...2 {
                    try await FakeBinanceServer.wait(timeout: LiveCollectorHarness.patience) { server.acceptedConnections >= attempt }
                    try await harness.advance(by: .milliseconds(300))
                    try await harness.waitForLog(.warning, "connection closed; reconnecting", count: attempt)
                    try await harness.advance(by: .milliseconds(400))
                }
                try await FakeBinanceServer.wait(timeout: LiveCollectorHarness.patience) { server.acceptedConnections >= 3 }
                try await FakeBinanceServer.wait(timeout: LiveCollectorHarness.patience) { server.openConnections <= 1 }
            }
            // Then shutting down with an attempt still hanging does not wait for it (without the forced close of its event
            // loop, 400 ms after the close request, it would hang until the time limit; the bound only absorbs threads held
            // by CPU-heavy tests running in parallel), and no socket is left open
            #expect(shutdown < .seconds(60))
            try await FakeBinanceServer.wait(timeout: LiveCollectorHarness.patience) { server.openConnections == 0 }
        }
        #expect(harness.logs.count(level: .warning, "connecting timed out") == 2)
        let stats = harness.stats.snapshot()
        #expect(stats.openConnections == 0 && stats.committedTicks == 0)
    }
}
