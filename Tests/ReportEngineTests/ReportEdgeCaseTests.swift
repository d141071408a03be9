import Alerts
import Foundation
import Market
import ReportEngine
import Storage
import Testing
import PairbookTestSupport

@Suite("Report edge cases")
struct ReportEdgeCaseTests {
    @Test("alerts_file rules are read relative to the script, with their own file:line in errors")
    func alertsFile() throws {
        let folder = try TestPaths.temporaryFolder()
        let script = folder.appendingPathComponent("s.md").path
        try "---\ntitle: T\nalerts_file: alerts.yaml\n---\n".write(toFile: script, atomically: true, encoding: .utf8)
        let alerts = folder.appendingPathComponent("alerts.yaml").path
        try "- { name: wide, metric: z_score, condition: \">\", threshold: 2 }\n".write(toFile: alerts, atomically: true, encoding: .utf8)
        #expect(try ReportScript(contentsOf: script).alerts.map(\.name) == ["wide"])
        try "alerts:\n  - { name: a, metric: z_score, condition: \">\", threshold: 2 }\n  - { name: b, metric: zscore, condition: \">\", threshold: 2 }\n"
            .write(toFile: alerts, atomically: true, encoding: .utf8)
        #expect { try ReportScript(contentsOf: script) } throws: { "\($0)".hasPrefix("\(alerts):3: unknown metric 'zscore'") }
    }

    @Test("a javascript: URL from a -p value is no link, and raw HTML in prose shows as text, in the report's HTML")
    func hostileProse() throws {
        let store = try SyntheticMarket.store()
        let out = try TestPaths.temporaryFolder()
        let script = try TestPaths.script("""
            ---
            title: Notes
            params: { base: BTCUSDT, quote: ETHUSDT, lookback: 6h, note: { type: string, default: "https://example.com" } }
            formats: [html]
            ---
            See [the note]({{note}}) and <script>alert(2)</script> <img src=x onerror=alert(3)>.
            """)
        let result = try ReportJob(scriptPath: script, assignments: ["note=javascript:alert(1)"], at: SyntheticMarket.day + .hours(12),
                                   outputRoot: out.path, templatesDirectory: TestPaths.templates)
            .run(store: store, now: SyntheticMarket.day + .hours(12), logger: .quiet)
        let html = try String(contentsOfFile: result.folder + "/report.html", encoding: .utf8)
        #expect(html.contains("the note</a>"))
        #expect(!html.contains("href=\"javascript:"))
        #expect(!html.contains("<script>alert(2)"))
        #expect(html.contains("&lt;script>alert(2)"))
        #expect(!html.contains("<img src=x"))
    }

    @Test("a window without bars still renders, with notices and nodata findings")
    func noData() throws {
        let store = try Store.inMemory()
        let out = try TestPaths.temporaryFolder()
        let result = try ReportJob(scriptPath: TestPaths.report("pair-overview.md"), at: SyntheticMarket.day, outputRoot: out.path,
                                   templatesDirectory: TestPaths.templates).run(store: store, now: SyntheticMarket.day, logger: .quiet)
        #expect(result.report.findings.allSatisfy { $0.state == .nodata })
        #expect(!result.report.notices.isEmpty)
        let html = try String(contentsOfFile: result.folder + "/report.html", encoding: .utf8)
        #expect(html.contains("class=\"notice\""))
        #expect(html.contains("Hedge ratio β = n/a"))
        #expect(FileManager.default.fileExists(atPath: result.folder + "/report.pdf"))
    }

    @Test("a cell naming a bad symbol fails with its line, and the run is recorded as failed")
    func badCellSymbol() throws {
        let script = try TestPaths.script("---\ntitle: T\n---\n\n```pairbook\nchart: candlestick\nsymbol: \"BTC-USDT!\"\n```\n")
        let store = try SyntheticMarket.store(count: 10)
        #expect {
            try ReportJob(scriptPath: script, at: SyntheticMarket.day + .minutes(10), outputRoot: try TestPaths.temporaryFolder().path,
                          templatesDirectory: TestPaths.templates).run(store: store, logger: .quiet)
        } throws: { "\($0)".contains("test.md:5: invalid symbol 'BTC-USDT!'") }
        #expect(try store.reportRuns().first?.status == .failed)
    }

    @Test("the last finished run of a script is found for the scheduler")
    func lastRun() async throws {
        let store = try SyntheticMarket.store(count: 60)
        let path = TestPaths.report("pair-overview.md")
        #expect(try await store.lastReportRun(script: path) == nil)
        let at = SyntheticMarket.day + .hours(1)
        _ = try ReportJob(scriptPath: path, assignments: ["lookback=1h"], at: at, outputRoot: try TestPaths.temporaryFolder().path,
                          formats: [.csv]).run(store: store, now: at + .minutes(3), logger: .quiet)
        #expect(try await store.lastReportRun(script: path) == at + .minutes(3))
    }
}
