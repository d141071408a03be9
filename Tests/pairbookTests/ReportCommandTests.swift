import Analytics
import Collector
import Foundation
import Market
import PairbookTestSupport
import ReportEngine
import Storage
import Testing

/// `pairbook report` end to end: the built binary over a simulated database, as a user runs it.
@Suite(.enabled(if: ImporterCLI.isAvailable, "pairbook binary not found next to the tests (set PAIRBOOK_BINARY)"))
struct ReportCommandTests {
    static let start = Timestamp(CivilTime(year: 2024, month: 7, day: 19))
    static let end = start + .hours(3)

    /// A folder with `db.sqlite`: three simulated hours of BTCUSDT/ETHUSDT trades with 1 m bars.
    private func simulatedDatabase() throws -> URL {
        let dir = try Fixtures.temporaryDirectory(prefix: "pairbook-report-cli")
        let store = try Store(path: dir.appendingPathComponent("db.sqlite").path, logger: .quiet)
        let simulator = Simulator(configuration: Simulator.Configuration(seed: 5))
        _ = try Recorder(store: store, timeframes: [.oneMinute], logger: .quiet).record(contentsOf: simulator.ticks(in: TimeRange(start: Self.start, end: Self.end)))
        return dir
    }

    private func read(_ url: URL) throws -> String { try String(contentsOf: url, encoding: .utf8) }

    @Test("pair-overview through the CLI: every file, numbers equal the analytics module's, --copy-to delivers")
    func pairOverview() async throws {
        let dir = try simulatedDatabase()
        let script = ReportScript.locateShipped("pair-overview")
        let result = try await ImporterCLI.run(
            ["report", script, "--db", "db.sqlite", "--at", "2024-07-19T03:00:00Z", "-p", "lookback=3h", "--out", "out",
             "--copy-to", "share"], in: dir)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("pair-overview: "))
        #expect(result.stdout.contains("delivered: folder"))

        let run = dir.appendingPathComponent("out/pair-overview/20240719T030000Z")
        for name in ["report.html", "report.pdf", "bars.csv", "analytics.csv", "findings.csv"] {
            #expect(FileManager.default.fileExists(atPath: run.appendingPathComponent(name).path), "\(name) missing")
            let latest = dir.appendingPathComponent("out/pair-overview/latest/\(name)")
            #expect(try Data(contentsOf: latest) == Data(contentsOf: run.appendingPathComponent(name)), "latest/\(name) differs")
            let shared = dir.appendingPathComponent("share/pair-overview/\(name)")
            #expect(try Data(contentsOf: shared) == Data(contentsOf: run.appendingPathComponent(name)), "share/\(name) differs")
        }

        // The hedge ratio in the HTML is the analytics module's over the same bars and window.
        let store = try Store(path: dir.appendingPathComponent("db.sqlite").path, logger: .quiet)
        let range = TimeRange(start: Self.start, end: Self.end)
        let analysis = try await PairAnalysis.compute(
            base: store.bars(for: "BTCUSDT", timeframe: .oneMinute, in: range),
            quote: store.bars(for: "ETHUSDT", timeframe: .oneMinute, in: range), window: 60)
        let html = try read(run.appendingPathComponent("report.html"))
        #expect(html.contains("β = \(String(format: "%.4f", analysis.hedge.slope))"))
        #expect(html.contains("\(analysis.observations) common 1m bars"))

        let pdf = try Data(contentsOf: run.appendingPathComponent("report.pdf"))
        #expect(pdf.starts(with: Data("%PDF-".utf8)))
        let bars = try read(run.appendingPathComponent("bars.csv")).split(separator: "\r\n")
        #expect(bars.first == "open_time,symbol,timeframe,open,high,low,close,volume,quote_volume,trades,taker_buy_volume")
        #expect(bars.count == 1 + 2 * 180)

        // The run is logged.
        let rerun = try await ImporterCLI.run(["report", script, "--db", "db.sqlite", "--at", "2024-07-19T03:00:00Z", "-p", "lookback=3h",
                                         "--out", "out2"], in: dir)
        #expect(rerun.status == 0, "\(rerun.stderr)")
        #expect(try read(dir.appendingPathComponent("out2/pair-overview/latest/report.html")) == html, "same data and params, same bytes")
    }

    @Test("daily-summary through the CLI")
    func dailySummary() async throws {
        let dir = try simulatedDatabase()
        let result = try await ImporterCLI.run(
            ["report", ReportScript.locateShipped("daily-summary"), "--db", "db.sqlite", "--at", "2024-07-19T03:00:00Z",
             "-p", "lookback=3h", "--out", "out"], in: dir)
        #expect(result.status == 0, "\(result.stderr)")
        let html = try read(dir.appendingPathComponent("out/daily-summary/latest/report.html"))
        #expect(html.contains("BTCUSDT") && html.contains("ETHUSDT"))
        #expect(html.contains("data:image/png;base64,"))
    }

    @Test("a malformed script fails with file:line; an unknown param is rejected; nothing is written")
    func badInput() async throws {
        let dir = try simulatedDatabase()
        let script = """
            ---
            title: Broken
            ---
            # Section

            ```pairbook
            chart: pie
            ```
            """
        try Data(script.utf8).write(to: dir.appendingPathComponent("broken.md"))
        let broken = try await ImporterCLI.run(["report", "broken.md", "--db", "db.sqlite", "--out", "out"], in: dir)
        #expect(broken.status == 1)
        #expect(broken.stderr.contains("broken.md:7"), "\(broken.stderr)")

        let unknown = try await ImporterCLI.run(
            ["report", ReportScript.locateShipped("pair-overview"), "--db", "db.sqlite", "-p", "windw=5", "--out", "out"], in: dir)
        #expect(unknown.status == 1)
        #expect(unknown.stderr.contains("windw"), "\(unknown.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("out").path))
    }

    @Test("a templates/ folder in the working directory is not used; --templates is")
    func templatesFromInstallation() async throws {
        let dir = try simulatedDatabase()
        let planted = dir.appendingPathComponent("templates")
        try FileManager.default.createDirectory(at: planted, withIntermediateDirectories: true)
        try "PLANTED {{title}}".write(to: planted.appendingPathComponent("report.mustache"), atomically: true, encoding: .utf8)
        try "body{}".write(to: planted.appendingPathComponent("report.css"), atomically: true, encoding: .utf8)
        let script = ReportScript.locateShipped("pair-overview")
        let arguments = ["report", script, "--db", "db.sqlite", "--at", "2024-07-19T03:00:00Z", "-p", "lookback=3h", "--format", "html"]
        let installed = try await ImporterCLI.run(arguments + ["--out", "a"], in: dir)
        #expect(installed.status == 0, "\(installed.stderr)")
        #expect(!(try read(dir.appendingPathComponent("a/pair-overview/latest/report.html"))).contains("PLANTED"))
        let explicit = try await ImporterCLI.run(arguments + ["--out", "b", "--templates", "templates"], in: dir)
        #expect(explicit.status == 0, "\(explicit.stderr)")
        #expect(try read(dir.appendingPathComponent("b/pair-overview/latest/report.html")).contains("PLANTED"))
    }

    @Test("--email without an SMTP configuration stops before any work")
    func emailWithoutConfiguration() async throws {
        let dir = try simulatedDatabase()
        let result = try await ImporterCLI.run(
            ["report", ReportScript.locateShipped("pair-overview"), "--db", "db.sqlite", "--email", "quant@example.com", "--out", "out"],
            in: dir)
        #expect(result.status == 1)
        #expect(result.stderr.contains("delivery.email"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("out").path))
    }

    @Test("--email mails the PDF to a real SMTP server on 127.0.0.1, findings in the body")
    func email() async throws {
        let dir = try simulatedDatabase()
        let server = try SMTPTestServer(mode: .plain)
        defer { server.stop() }
        let config = """
            delivery:
              email:
                to: [desk@example.com]
                from: pairbook@example.com
                smtp: { host: 127.0.0.1, port: \(server.port), security: plain }
            """
        try Data(config.utf8).write(to: dir.appendingPathComponent("pairbook.yaml"))
        let result = try await ImporterCLI.run(
            ["report", ReportScript.locateShipped("pair-overview"), "--db", "db.sqlite", "--at", "2024-07-19T03:00:00Z",
             "-p", "lookback=3h", "--out", "out", "--email", "quant@example.com"], in: dir)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("delivered: smtp"))

        let (raw, summary) = try await server.message(1)
        let pdf = try Data(contentsOf: dir.appendingPathComponent("out/pair-overview/20240719T030000Z/report.pdf"))
        let attachments = summary["attachments"] as? [[String: Any]] ?? []
        #expect(attachments.count == 1)
        #expect(attachments.first?["filename"] as? String == "report.pdf")
        #expect(attachments.first?["size"] as? Int == pdf.count)
        let unwrapped = String(decoding: raw, as: UTF8.self).replacingOccurrences(of: "\r\n", with: "")
        #expect(unwrapped.contains(pdf.base64EncodedString()), "the attachment carries the PDF's bytes")
        #expect(summary["rcpt_tos"] as? [String] == ["quant@example.com"], "--email replaces the config's recipients")
        #expect(summary["defects"] as? [String] == [])
        let text = summary["text"] as? String ?? ""
        #expect(text.contains("spread stretched") || text.contains("No findings."), "findings in the body: \(text)")
    }
}
