import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Market
import Metrics
import NIOCore
import PairbookTestSupport
import Prometheus
import Testing

@testable import Monitoring

private let quietLogger = Logger(label: "test.monitoring", factory: { _ in SwiftLogNoOpLogHandler() })

private func makeServer(
    registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry(), output: String = "/nonexistent",
    idleTimeout: TimeAmount = MonitoringServer.idleTimeout, health: @escaping @Sendable () async -> HealthReport
) -> MonitoringServer {
    MonitoringServer(
        configuration: .init(host: "127.0.0.1", port: 0, outputDirectory: output, idleTimeout: idleTimeout), registry: registry,
        health: health, logger: quietLogger)
}

private struct HealthJSON: Decodable {
    var status: String
    var checks: [HealthReport.Check]
    var reasons: [String]
}

struct MonitoringServerTests {
    @Test("GET /healthz answers 200 with JSON when every check passes")
    func healthy() async throws {
        let server = makeServer {
            HealthReport(checks: [
                .init(name: "collector", ok: true, detail: "connected"),
                .init(name: "database", ok: true, detail: "writable"),
            ])
        }
        try await server.makeApplication().test(.live) { client in
            try await client.execute(uri: "/healthz", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "application/json; charset=utf-8")
                let body = try JSONDecoder().decode(HealthJSON.self, from: Data(response.body.readableBytesView))
                #expect(body.status == "ok")
                #expect(body.checks.map(\.name) == ["collector", "database"])
                #expect(body.reasons.isEmpty)
            }
        }
    }

    @Test("GET /healthz answers 503 with the failing reasons")
    func unhealthy() async throws {
        let now = Timestamp(milliseconds: 1_700_000_600_000)
        let server = makeServer {
            HealthReport(checks: [
                .init(name: "collector", ok: false, detail: "disconnected since 2023-11-14T22:10:00Z"),
                .init(name: "database", ok: true, detail: "writable"),
                .freshness(newest: Timestamp(milliseconds: 1_700_000_000_000), now: now, maximumAge: .minutes(2)),
            ])
        }
        try await server.makeApplication().test(.live) { client in
            try await client.execute(uri: "/healthz", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
                let body = try JSONDecoder().decode(HealthJSON.self, from: Data(response.body.readableBytesView))
                #expect(body.status == "unhealthy")
                #expect(
                    body.reasons == [
                        "collector: disconnected since 2023-11-14T22:10:00Z",
                        "data: stale: newest 2023-11-14T22:13:20Z is 10m old (limit 2m)",
                    ])
            }
        }
    }

    @Test("GET /metrics serves the registry in Prometheus text format")
    func metrics() async throws {
        // Given metrics recorded through swift-metrics with the pairbook factory (no global bootstrap in tests)
        let registry = PrometheusCollectorRegistry()
        let factory = PairbookMetricsFactory(registry: registry)
        Counter(label: MetricNames.ticksIngested, dimensions: [(MetricNames.Dimension.symbol, "BTCUSDT")], factory: factory)
            .increment(by: 3)
        Counter(label: MetricNames.reconnects, factory: factory).increment()
        Metrics.Timer(label: MetricNames.receiveToCommit, factory: factory).recordMilliseconds(7)
        Metrics.Timer(label: MetricNames.reportDuration, dimensions: [(MetricNames.Dimension.report, "pair-overview")], factory: factory)
            .recordSeconds(42)
        let server = makeServer(registry: registry) { HealthReport(checks: []) }

        // When Prometheus scrapes
        try await server.makeApplication().test(.live) { client in
            try await client.execute(uri: "/metrics", method: .get) { response in
                // Then
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "text/plain; version=0.0.4; charset=utf-8")
                let text = String(buffer: response.body)
                let lines = Set(text.split(separator: "\n").map(String.init))
                #expect(lines.contains("# TYPE pairbook_ticks_ingested_total counter"))
                #expect(lines.contains(#"pairbook_ticks_ingested_total{symbol="BTCUSDT"} 3"#))
                #expect(lines.contains("pairbook_reconnects_total 1"))
                #expect(lines.contains("# TYPE pairbook_receive_to_commit_seconds histogram"))
                #expect(lines.contains(#"pairbook_receive_to_commit_seconds_bucket{le="0.005"} 0"#))
                #expect(lines.contains(#"pairbook_receive_to_commit_seconds_bucket{le="0.01"} 1"#))
                #expect(lines.contains("pairbook_receive_to_commit_seconds_count 1"))
                #expect(lines.contains(#"pairbook_report_duration_seconds_bucket{report="pair-overview",le="60.0"} 1"#))
                // Every family has its help text, and Prometheus' own linter accepts the page.
                for family in ["pairbook_ticks_ingested_total", "pairbook_reconnects_total", "pairbook_receive_to_commit_seconds",
                               "pairbook_report_duration_seconds"] {
                    #expect(lines.contains("# HELP \(family) \(MetricNames.help[family] ?? "?")"), "\(family)")
                }
                try Self.promtoolCheck(text)
            }
        }
    }

    /// `promtool check metrics` (Debian's `prometheus` package, installed by `make test`) on an exposition page.
    /// Without promtool the check is skipped, unless PAIRBOOK_PROMTOOL_REQUIRED=1 (as `make test` sets it).
    static func promtoolCheck(_ text: String) throws {
        let promtool = "/usr/bin/promtool"
        guard FileManager.default.isExecutableFile(atPath: promtool) else {
            if ProcessInfo.processInfo.environment["PAIRBOOK_PROMTOOL_REQUIRED"] == "1" {
                Issue.record("promtool is missing: `apt-get install prometheus` (make test-deps does)")
            }
            return
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: promtool)
        process.arguments = ["check", "metrics"]
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = output
        try process.run()
        input.fileHandleForWriting.write(Data(text.utf8))
        try input.fileHandleForWriting.close()
        let said = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "promtool check metrics: \(said)")
    }

    @Test("GET /reports/latest/<name> serves the latest HTML and nothing outside the output folder")
    func latestReport() async throws {
        // Given output/pair-overview/latest/report.html and a secret next to the output folder
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("pairbook-monitoring-\(UInt64.random(in: 0...UInt64.max))")
        let output = root.appendingPathComponent("output")
        let latest = output.appendingPathComponent("pair-overview/scheduled/latest")
        try FileManager.default.createDirectory(at: latest, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        try Data("<h1>BTC vs ETH</h1>".utf8).write(to: latest.appendingPathComponent("report.html"))
        try Data("a,b\n1,2\n".utf8).write(to: latest.appendingPathComponent("pair.csv"))
        try Data("secret".utf8).write(to: root.appendingPathComponent("secret.txt"))
        let server = makeServer(output: output.path) { HealthReport(checks: []) }

        try await server.makeApplication().test(.live) { client in
            try await client.execute(uri: "/reports/latest/pair-overview", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "text/html; charset=utf-8")
                #expect(String(buffer: response.body) == "<h1>BTC vs ETH</h1>")
            }
            try await client.execute(uri: "/reports/latest/pair-overview/pair.csv", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "text/csv; charset=utf-8")
            }
            for uri in [
                "/reports/latest/daily-summary",  // no such report
                "/reports/latest/..%2Fsecret.txt",
                "/reports/latest/..%2F..%2Fsecret.txt",
                "/reports/latest/pair-overview/..%2F..%2F..%2Fsecret.txt",
                "/reports/latest/%2E%2E/secret.txt",
                "/reports/latest/.hidden",
            ] {
                try await client.execute(uri: uri, method: .get) { response in
                    #expect(response.status == .notFound, "\(uri)")
                    #expect(!String(buffer: response.body).contains("secret"), "\(uri)")
                }
            }
        }
        // Hummingbird hands path segments to the handler undecoded, so the requests above never carry a real "..":
        // call the handler with what a decoding router or a direct caller would give it, where each of these would
        // reach the secret without the check.
        try Data("secret".utf8).write(to: root.appendingPathComponent("latest-secret.html"))
        try FileManager.default.createDirectory(at: root.appendingPathComponent("scheduled/latest"), withIntermediateDirectories: true)
        try Data("secret".utf8).write(to: root.appendingPathComponent("scheduled/latest/report.html"))
        for (report, file) in [("..", "report.html"), ("pair-overview", "../../../../secret.txt"),
                               ("pair-overview", "../../../../latest-secret.html")] {
            #expect(FileManager.default.fileExists(atPath: "\(output.path)/\(report)/scheduled/latest/\(file)"), "the attack path exists")
            #expect(MonitoringServer.path(in: output.path, report: report, file: file) == nil, "\(report) \(file)")
        }
    }

    @Test(
        "path components are accepted only when plain",
        arguments: [
            ("pair-overview", true), ("daily_summary.v2", true), ("report.html", true),
            ("..", false), (".", false), (".hidden", false), ("a/b", false), ("", false), ("a\\b", false),
            ("r%2F", false), ("naïve", false), ("a b", false),
        ])
    func safeComponents(component: String, safe: Bool) {
        #expect(MonitoringServer.isSafeComponent(component) == safe)
    }

    @Test("a client that sends half a request and stops is disconnected after the idle timeout")
    func idleTimeout() async throws {
        let server = makeServer(idleTimeout: .seconds(1)) { HealthReport(checks: []) }
        try await server.makeApplication().test(.live) { client in
            let port = try #require(client.port)
            let closedAfter = try LoopbackHTTP.sendAndAwaitClose(port: port, bytes: Array("GET /healthz HTTP/1.1\r\nHost: x\r\n".utf8),
                                                                  patience: 20)
            let after = try #require(closedAfter, "still open after 20 s")
            #expect(after >= .milliseconds(900) && after < .seconds(15), "\(after)")
        }
    }
}
