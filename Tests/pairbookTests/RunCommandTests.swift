import Foundation
import Market
import PairbookTestSupport
import Storage
import Testing

/// `pairbook run` end to end: the built binary against a WebSocket replay server on 127.0.0.1.
@Suite(.enabled(if: ImporterCLI.isAvailable, "pairbook binary not found next to the tests (set PAIRBOOK_BINARY)"))
struct RunCommandTests {
    /// A combined-stream trade frame as Binance sends it.
    static func frame(_ id: Int64) -> String {
        let time = 1_721_347_200_000 + id * 10
        return #"{"stream":"btcusdt@trade","data":{"e":"trade","E":\#(time),"T":\#(time),"s":"BTCUSDT","t":\#(id),"p":"67000.\#(id % 10)","q":"0.002","X":"MARKET","m":\#(id % 2 == 0)}}"#
    }

    @Test("records a replayed stream, answers /healthz and /metrics, and exits 0 on SIGTERM with every trade committed")
    func recordsAndStops() async throws {
        let dir = try Fixtures.temporaryDirectory(prefix: "pairbook-run-cli")
        let frames = (1...300).map { Self.frame(Int64($0)) }
        let port = try LoopbackHTTP.freePort()
        try await FakeBinanceServer.withServer(steps: [.waitForClients(1)] + frames.map { .frame($0) }, framesPerSecond: 600) { server in
            let process = try ImporterCLI.start(
                ["run", "--db", "run.sqlite", "--symbols", "BTCUSDT", "--endpoint", server.baseURL, "--listen", "127.0.0.1:\(port)",
                 "--no-catch-up"], in: dir)
            // Generous limits: with the whole suite running in parallel on 2 cores, the debug child starts slowly.
            try await server.waitUntilFinished(timeout: .seconds(90))
            let store = try Store(path: dir.appendingPathComponent("run.sqlite").path, logger: .quiet)
            try await FakeBinanceServer.wait(timeout: .seconds(60)) { ((try? store.tickCount()) ?? 0) == 300 }

            // Health is refreshed once a second from the collector's counters (a probe reads the cached report).
            try await FakeBinanceServer.wait(timeout: .seconds(30)) { (try? LoopbackHTTP.get(port: port, path: "/healthz").status) == 200 }
            let health = try LoopbackHTTP.get(port: port, path: "/healthz")
            #expect(health.status == 200, "\(health.body)")
            #expect(health.body.contains("writable"), "\(health.body)")
            // The collector's counters are published once a second.
            let ingested = #"pairbook_ticks_ingested_total{symbol="BTCUSDT"} 300"#
            try await FakeBinanceServer.wait(timeout: .seconds(60)) {
                ((try? LoopbackHTTP.get(port: port, path: "/metrics").body) ?? "").contains(ingested)
            }
            let metrics = try LoopbackHTTP.get(port: port, path: "/metrics").body
            #expect(metrics.contains(ingested))
            #expect(metrics.contains("pairbook_receive_to_commit_seconds_count 300"))
            // The dashboard on the same address, with the collector's view of the symbol.
            let page = try LoopbackHTTP.get(port: port, path: "/")
            #expect(page.status == 200 && page.body.contains("pairbook-csrf"))
            let overview = try LoopbackHTTP.get(port: port, path: "/api/overview?symbols=BTCUSDT")
            #expect(overview.status == 200 && overview.body.contains(#""symbol":"BTCUSDT""#), "\(overview.body)")
            #expect(!overview.body.contains("not collecting"), "\(overview.body)")

            kill(process.processIdentifier, SIGTERM)
            process.waitUntilExit()
            #expect(process.terminationReason == .exit && process.terminationStatus == 0)
            #expect(try store.tickCount() == 300)
        }
    }

    @Test("a configuration error stops start-up with one clear line, before anything runs")
    func configurationErrors() async throws {
        let dir = try Fixtures.temporaryDirectory(prefix: "pairbook-run-cli")
        try Data("symbols: [BTCUSDT]\nlisten: nowhere\n".utf8).write(to: dir.appendingPathComponent("bad.yaml"))
        let badListen = try await ImporterCLI.run(["run", "--config", "bad.yaml", "--db", "x.sqlite"], in: dir)
        #expect(badListen.status == 1)
        #expect(badListen.stderr.contains("listen: expected HOST:PORT"), "\(badListen.stderr)")

        try Data("---\ntitle: No schedule\n---\n# Text\n".utf8).write(to: dir.appendingPathComponent("plain.md"))
        let unscheduled = try await ImporterCLI.run(["run", "--symbols", "BTCUSDT", "--report", "plain.md", "--db", "x.sqlite"], in: dir)
        #expect(unscheduled.status == 1)
        #expect(unscheduled.stderr.contains("plain.md: no `schedule:`"), "\(unscheduled.stderr)")

        let keep = try await ImporterCLI.run(["run", "--symbols", "BTCUSDT", "--keep-reports-for", "soon", "--db", "x.sqlite"], in: dir)
        #expect(keep.status == 1)
        #expect(keep.stderr.contains("keep_reports_for: expected a span such as 30d or 12w, or `forever` (got soon)"), "\(keep.stderr)")

        let mail = try await ImporterCLI.run(["run", "--symbols", "BTCUSDT", "--email", "desk@example.com", "--db", "x.sqlite"], in: dir)
        #expect(mail.status == 1)
        #expect(mail.stderr.contains("delivery.email"), "\(mail.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("x.sqlite").path), "nothing ran")
    }

    @Test("a misspelt key in pairbook.yaml is an error naming it, before anything runs", arguments: [
        ("keep_report_for: forever\n", "keep_report_for: unknown key 'keep_report_for' in pairbook run configuration"),
        ("delivery:\n  folder: out\n  fodler: elsewhere\n", "delivery.fodler: unknown key 'fodler' in delivery"),
        ("delivery:\n  email:\n    to: [a@example.com]\n    from: b@example.com\n    smtp: { host: mail, prot: 25 }\n",
         "delivery.email.smtp.prot: unknown key 'prot' in delivery.email.smtp"),
    ])
    func unknownConfigurationKey(yaml: String, message: String) async throws {
        let dir = try Fixtures.temporaryDirectory(prefix: "pairbook-run-cli")
        try Data(yaml.utf8).write(to: dir.appendingPathComponent("pairbook.yaml"))
        let result = try await ImporterCLI.run(["run", "--config", "pairbook.yaml", "--db", "x.sqlite"], in: dir)
        #expect(result.status == 1)
        #expect(result.stderr.contains("Error: --config pairbook.yaml: \(message): expected one of "), "\(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("x.sqlite").path), "nothing ran")
    }

    @Test("a pairbook.yaml whose aliases expand to billions of nodes is refused at once")
    func billionLaughsConfiguration() async throws {
        let dir = try Fixtures.temporaryDirectory(prefix: "pairbook-run-cli")
        try Data(("symbols: [BTCUSDT]\n" + HostileYAML.billionLaughs).utf8).write(to: dir.appendingPathComponent("pairbook.yaml"))
        let started = ContinuousClock.now
        let result = try await ImporterCLI.run(["run", "--config", "pairbook.yaml", "--db", "x.sqlite"], in: dir)
        #expect(result.status == 1)
        #expect(result.stderr.contains("Error: --config pairbook.yaml: aliases expand to more than 100,000 nodes"), "\(result.stderr)")
        // A billion nodes would take hours; the bound is loose because the whole suite loads 2 cores at this point.
        #expect(started.duration(to: .now) < .seconds(240))
    }
}
