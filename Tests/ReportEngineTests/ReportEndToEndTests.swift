import Alerts
import Analytics
import Foundation
import Market
import ReportEngine
import Storage
import Testing
import PairbookTestSupport

@Suite("Report end to end")
struct ReportEndToEndTests {
    static let runTime = SyntheticMarket.day + .hours(24)

    func run(_ script: String, store: Store, out: URL, assignments: [String] = [], at: Timestamp = runTime,
             formats: [ReportFormat]? = nil) throws -> ReportJob.Result {
        try ReportJob(scriptPath: script, assignments: assignments, at: at, outputRoot: out.path, formats: formats,
                      templatesDirectory: TestPaths.templates).run(store: store, now: at, logger: .quiet)
    }

    func text(_ url: String) throws -> String { try String(contentsOfFile: url, encoding: .utf8) }

    @Test("pair-overview: the numbers in the HTML are the analytics module's, and the PDF has its pages")
    func pairOverview() throws {
        // Given a day of bars
        let store = try SyntheticMarket.store()
        let out = try TestPaths.temporaryFolder()
        // When the shipped report runs for the end of that day
        let result = try run(TestPaths.report("pair-overview.md"), store: store, out: out)
        // Then the folder holds every format, also under latest/
        let names = result.files.map { URL(fileURLWithPath: $0).lastPathComponent }
        #expect(names == ["report.html", "report.pdf", "bars.csv", "analytics.csv", "findings.csv"])
        #expect(result.folder == out.appendingPathComponent("pair-overview/20240102T000000Z").path)
        for name in names {
            #expect(FileManager.default.fileExists(atPath: result.latestFolder + "/" + name))
        }
        // And the statistics shown are those of PairAnalysis on the same bars
        let window = TimeRange(lookback: .hours(24), endingAt: Self.runTime)
        let analysis = try PairAnalysis.compute(base: store.bars(for: "BTCUSDT", timeframe: .oneMinute, in: window),
                                                quote: store.bars(for: "ETHUSDT", timeframe: .oneMinute, in: window), window: 60)
        let html = try text(result.folder + "/report.html")
        #expect(html.contains("Hedge ratio β = \(NumberFormat.fixed(analysis.hedge.slope, 4))"))
        #expect(html.contains(">\(NumberFormat.fixed(analysis.hedge.slope, 6))<"))
        let adf = try #require(analysis.adf)
        #expect(html.contains("ADF p-value \(NumberFormat.fixed(adf.pValue, 4))"))
        #expect(html.contains(">\(NumberFormat.fixed(adf.statistic, 4))<"))
        #expect(html.contains(">\(NumberFormat.fixed(analysis.halfLife ?? .nan, 2))<"))
        #expect(html.contains("Latest z-score \(NumberFormat.fixed(analysis.series.zScore.last.flatMap { $0 } ?? .nan, 2))"))
        // And the page is self-contained, small enough, with its four sections and the findings first
        #expect(html.utf8.count < 1_500_000)
        #expect(!html.contains("src=\"http"))
        #expect(html.contains("data:image/png;base64,"))
        for id in ["overview", "analytics", "alerts", "export"] { #expect(html.contains("<section id=\"\(id)\">")) }
        let attention = try #require(html.range(of: "Needs attention"))
        let overview = try #require(html.range(of: "<section id=\"overview\">"))
        #expect(attention.lowerBound < overview.lowerBound)
        // And the PDF opens with several pages and a footer naming them
        let pdf = try Data(contentsOf: URL(fileURLWithPath: result.folder + "/report.pdf"))
        #expect(pdf.starts(with: Data("%PDF-".utf8)))
        let pages = PDFInspection.pageCount(pdf)
        #expect((3...8).contains(pages))
        let pdfText = try #require(PDFInspection.text(of: result.folder + "/report.pdf"),
                                   "pdftotext is needed (Debian's poppler-utils; `make deps` installs it)")
        #expect(pdfText.contains("BTCUSDT vs ETHUSDT — pair overview"))
        #expect(pdfText.contains("page 1 of \(pages)"))
        #expect(pdfText.contains("Hedge ratio β = \(NumberFormat.fixed(analysis.hedge.slope, 4))"))
        // And the run is recorded
        let runs = try store.reportRuns()
        #expect(runs.count == 1)
        #expect(runs.first?.status == (result.hasFiringAlerts ? .alert : .ok))
        #expect(runs.first?.params.contains(#""window":60"#) == true)
    }

    @Test("the same database and parameters give byte-identical HTML and CSV")
    func reproducible() throws {
        let store = try SyntheticMarket.store()
        let a = try run(TestPaths.report("pair-overview.md"), store: store, out: try TestPaths.temporaryFolder(), formats: [.html, .csv])
        let b = try run(TestPaths.report("pair-overview.md"), store: store, out: try TestPaths.temporaryFolder(), formats: [.html, .csv])
        for name in ["report.html", "bars.csv", "analytics.csv", "findings.csv"] {
            let x = try Data(contentsOf: URL(fileURLWithPath: a.folder + "/" + name))
            let y = try Data(contentsOf: URL(fileURLWithPath: b.folder + "/" + name))
            #expect(x == y, "\(name) differs between runs")
        }
        // The second run found the first run's alert events already stored.
        #expect(b.newAlertEvents == 0)
    }

    @Test("CSV files follow RFC 4180 with ISO-8601 UTC times")
    func csv() throws {
        let store = try SyntheticMarket.store(count: 200)
        let result = try run(TestPaths.report("pair-overview.md"), store: store, out: try TestPaths.temporaryFolder(),
                             assignments: ["lookback=200m"], at: SyntheticMarket.day + .minutes(200), formats: [.csv])
        let bars = try text(result.folder + "/bars.csv")
        let lines = bars.components(separatedBy: "\r\n")
        #expect(lines[0] == "open_time,symbol,timeframe,open,high,low,close,volume,quote_volume,trades,taker_buy_volume")
        #expect(lines[1].hasPrefix("2024-01-01T00:00:00.000Z,BTCUSDT,1m,"))
        #expect(lines.count == 2 * 200 + 2)  // header, 200 bars per symbol, trailing empty after the last CRLF
        let findings = try text(result.folder + "/findings.csv")
        #expect(findings.hasPrefix("rule,subject,metric,condition,threshold,"))
        #expect(findings.contains("\"z-score"))  // summaries with commas are quoted
        let analytics = try text(result.folder + "/analytics.csv")
        #expect(analytics.components(separatedBy: "\r\n")[1].hasPrefix("BTCUSDT/ETHUSDT,1m,2024-01-01T00:00:00.000Z,"))
    }

    @Test("a parameter holding <script> comes out escaped")
    func escaping() throws {
        let script = try TestPaths.script("""
            ---
            title: "Note: {{note}}"
            params: { note: hello, base: BTCUSDT, quote: ETHUSDT }
            formats: [html]
            ---
            # Overview
            The note says {{note}} and *{{note}}*.

            ```pairbook
            table: pair_stats
            title: "{{note}}"
            ```
            """)
        let store = try SyntheticMarket.store(count: 120)
        let payload = "<script>alert('x')</script>&\"quoted\""
        let result = try run(script, store: store, out: try TestPaths.temporaryFolder(), assignments: ["note=\(payload)", "lookback=2h"],
                             at: SyntheticMarket.day + .hours(2))
        let html = try text(result.folder + "/report.html")
        #expect(!html.contains("<script>"))
        #expect(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;&quot;quoted&quot;"))
        #expect(html.contains("<title>Note: &lt;script&gt;"))
        #expect(html.contains("<em>&lt;script&gt;"))
    }

    @Test("daily-summary over several pairs: heatmap of all symbols and liquidity of each")
    func dailySummary() throws {
        let store = try SyntheticMarket.store()
        let result = try run(TestPaths.report("daily-summary.md"), store: store, out: try TestPaths.temporaryFolder(),
                             assignments: ["pairs=BTCUSDT/ETHUSDT,SOLUSDT/ETHUSDT"])
        let html = try text(result.folder + "/report.html")
        #expect(html.utf8.count < 1_500_000)
        #expect(html.contains("Daily pair summary — 2024-01-02"))
        for symbol in SyntheticMarket.symbols { #expect(html.contains("<td>\(symbol.name)</td>")) }
        #expect(html.contains("alt=\"Correlation of log returns\""))
        #expect(result.report.analyses.count == 2)
        #expect(result.report.findings.count == 8)
        let pdf = try Data(contentsOf: URL(fileURLWithPath: result.folder + "/report.pdf"))
        #expect(PDFInspection.pageCount(pdf) >= 3)
    }

    @Test("alert state continues into the next run instead of firing again")
    func alertContinuation() throws {
        // Given a first run that ends while the spread alert fires
        let store = try SyntheticMarket.store()
        let rules = """
            ---
            title: Alerts
            params: { base: BTCUSDT, quote: ETHUSDT, lookback: 6h }
            formats: [csv]
            alerts:
              - { name: low z, metric: z_score, condition: "<", threshold: -1.0, clear_threshold: 0.0 }
            ---
            """
        let script = try TestPaths.script(rules)
        let out = try TestPaths.temporaryFolder()
        var firstTime: Timestamp?
        var firstFired: Timestamp?
        for hour in stride(from: 6, through: 24, by: 1) {
            let r = try run(script, store: store, out: out, at: SyntheticMarket.day + .hours(Int64(hour)))
            let finding = try #require(r.report.findings.first)
            if finding.state == .firing {
                firstTime = SyntheticMarket.day + .hours(Int64(hour))
                firstFired = finding.firedAt
                break
            }
        }
        let at = try #require(firstTime)
        // When the next hourly run sees the alert still firing
        let next = try run(script, store: store, out: out, at: at + .minutes(5))
        let finding = try #require(next.report.findings.first)
        // Then it keeps the original fired time and stores no new firing event
        if finding.state == .firing {
            #expect(finding.firedAt == firstFired)
            #expect(!finding.transitions.contains { $0.state == .firing && $0.time != firstFired })
        }
        let events = try store.alertEvents(in: TimeRange.all)
        let firings = events.filter { $0.state == "firing" && $0.time == firstFired }
        #expect(firings.count == 1)
    }

    @Test("two scripts with a rule of the same name keep separate alert states: one's firing neither hides nor fakes the other's")
    func alertStatePerScript() throws {
        // Given two scripts on the same pair, each with a rule "z", one that always fires and one that never does
        let store = try SyntheticMarket.store()
        let out = try TestPaths.temporaryFolder()
        func script(_ name: String, threshold: Double) throws -> String {
            try TestPaths.script("""
                ---
                title: \(name)
                params: { base: BTCUSDT, quote: ETHUSDT, lookback: 6h }
                formats: [csv]
                alerts:
                  - { name: z, metric: z_score, condition: ">", threshold: \(threshold) }
                ---
                """, name: "\(name).md")
        }
        let loud = try run(script("loud", threshold: -1000), store: store, out: out, at: SyntheticMarket.day + .hours(12))
        #expect(loud.report.findings.first?.state == .firing)
        // When the other script runs on the next window, where "loud" is still firing from before the window's start
        let quiet = try run(script("quiet", threshold: 1000), store: store, out: out, at: SyntheticMarket.day + .hours(18))
        // Then it starts from its own (empty) history: normal, no firing or resolved transition borrowed from "loud"
        let finding = try #require(quiet.report.findings.first)
        #expect(finding.state == .normal)
        #expect(!finding.transitions.contains { $0.state == .firing || $0.state == .resolved })
        // And the stored history is "loud"'s alone, under its own source
        let events = try store.alertEvents(in: TimeRange.all)
        #expect(!events.isEmpty && events.allSatisfy { $0.source == AlertSource.script("loud") })
        #expect(try store.currentAlertStates().map(\.source) == [AlertSource.script("loud")])
    }

    @Test("output paths never leave the output folder", arguments: ["../x", "a/b", ".hidden", "", "..", "ok name"])
    func unsafeNames(_ name: String) {
        #expect(throws: ScriptError.self) {
            _ = try OutputLayout(root: "/tmp/out", reportName: name, runTime: Timestamp(milliseconds: 0))
        }
    }

    @Test("an unknown parameter on the command line is rejected before anything runs")
    func unknownParameter() throws {
        let store = try SyntheticMarket.store(count: 10)
        #expect { try run(TestPaths.report("pair-overview.md"), store: store, out: try TestPaths.temporaryFolder(), assignments: ["windoww=3"]) }
            throws: { "\($0)".contains("unknown parameter 'windoww'") }
        #expect(try store.reportRuns().isEmpty)
    }
}

/// Small checks of PDF files without a PDF library.
enum PDFInspection {
    /// The number of `/Type /Page` objects (Cairo writes page dictionaries uncompressed).
    static func pageCount(_ data: Data) -> Int {
        let text = String(decoding: data, as: UTF8.self)
        return text.components(separatedBy: "/Type /Page").count - 1 - (text.components(separatedBy: "/Type /Pages").count - 1)
    }

    /// The text of the PDF through `pdftotext` (poppler-utils), or nil when it is not installed.
    static func text(of path: String) -> String? {
        let tool = ["/usr/bin/pdftotext", "/usr/local/bin/pdftotext"].first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let tool else { return nil }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = [path, "-"]
        let pipe = Pipe()
        process.standardOutput = pipe
        do {
            try process.run()
        } catch {
            return nil
        }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }
}
