import Foundation
import Market
import PairbookTestSupport
import Testing

/// `pairbook serve --db postgres://…`: the dashboard over PostgreSQL answers what it answers over SQLite for the same
/// data (the real sample, a report's alert history, copied with `pairbook migrate`).
@Suite("pairbook serve on PostgreSQL", .enabled(if: ImporterCLI.isAvailable, "pairbook binary not built"),
       .enabled(if: PostgresTestServer.isAvailable, "\(PostgresTestServer.skipReason)"),
       .enabled(if: SharedData.isAvailable, "\(SharedData.skipReason)"))
struct ServePostgresTests {
    static let paths = [
        "/api/symbols", "/api/bars?symbol=BTCUSDT&timeframe=1m&lookback=3d&points=300", "/api/bars?symbol=ETHUSDT&timeframe=5m&lookback=1d",
        "/api/pair?pair=BTCUSDT/ETHUSDT&timeframe=1m&lookback=3d&points=200", "/api/spread?pair=BTCUSDT/ETHUSDT&timeframe=1m&lookback=3d&points=200",
        "/api/heatmap.png?symbols=BTCUSDT,ETHUSDT&timeframe=1m&lookback=1d", "/api/alerts", "/api/alerts/events?limit=50",
        "/api/export/bars.csv?symbol=BTCUSDT&timeframe=1m&lookback=1d", "/api/export/findings.csv?from=2023-01-01&to=2023-01-05",
        "/api/export/analytics.csv?pair=BTCUSDT/ETHUSDT&timeframe=1m&lookback=1d", "/api/reports", "/reports/pair-overview?lookback=1d",
        "/api/pair?pair=BTCUSDT/XRPUSDT&timeframe=1m",
    ]

    /// `body` without what differs between two processes: the time of the answer and the page's per-process CSRF token.
    static func comparable(_ body: String) -> String {
        body.replacing(/"now":[0-9]+/, with: "\"now\":0").replacing(/name="pairbook-csrf" content="[0-9a-f]+"/, with: "")
    }

    @Test("every data, alert, export and report answer is the same as over SQLite", .timeLimit(.minutes(5)))
    func sameAnswers() async throws {
        let dir = try Fixtures.temporaryDirectory(prefix: "pairbook-serve-pg")
        let klines = SharedData.url("binance-usdm-klines-1m-2023-01-01_03")
        let files = try FileManager.default.contentsOfDirectory(atPath: klines.path).filter { $0.hasSuffix(".csv") }.sorted()
            .map { klines.appendingPathComponent($0).path }
        let root = SharedData.packageRoot
        #expect(try await ImporterCLI.run(["import", "--db", "a.sqlite"] + files, in: dir).status == 0)
        let report = try await ImporterCLI.run(["report", "--db", "a.sqlite", root.appendingPathComponent("Reports/pair-overview.md").path,
                                                "-p", "lookback=3d", "--at", "2023-01-04", "--format", "html"], in: dir)
        #expect(report.status == 0, "\(report.stderr)")
        try await PostgresTestServer.withServer { postgres in
            let db = try await postgres.newDatabase()
            #expect(try await ImporterCLI.run(["migrate", "--from", "sqlite:a.sqlite", "--to", db], in: dir).status == 0)
            let ports = [try LoopbackHTTP.freePort(), try LoopbackHTTP.freePort()]
            let servers = try zip(["a.sqlite", db], ports).map { store, port in
                try ImporterCLI.start(["serve", "--db", store, "--listen", "127.0.0.1:\(port)", "--reports", root.appendingPathComponent("Reports").path,
                                       "--templates", root.appendingPathComponent("templates").path], in: dir)
            }
            defer { for server in servers where server.isRunning { kill(server.processIdentifier, SIGKILL) } }
            try await FakeBinanceServer.wait(timeout: .seconds(60)) {
                ports.allSatisfy { (try? LoopbackHTTP.get(port: $0, path: "/api/symbols").status) == 200 }
            }
            for path in Self.paths {
                let sqlite = try LoopbackHTTP.get(port: ports[0], path: path)
                let pg = try LoopbackHTTP.get(port: ports[1], path: path)
                #expect(sqlite.status == pg.status, "\(path)")
                #expect(Self.comparable(sqlite.body) == Self.comparable(pg.body), "\(path): \(pg.body.prefix(300))")
            }
            // The overview cards hold the time since the last trade, which moves between the two requests.
            let cards = try LoopbackHTTP.get(port: ports[1], path: "/api/overview?symbols=BTCUSDT,ETHUSDT")
            #expect(cards.status == 200 && cards.body.contains("\"last_price\":16667.2"), "\(cards.body)")
            for server in servers { kill(server.processIdentifier, SIGTERM) }
            let statuses = try await onOwnThread { servers.map { server in server.waitUntilExit(); return server.terminationStatus } }
            #expect(statuses == [0, 0])
        }
    }
}
