import Analytics
import Foundation
import Hummingbird
import HummingbirdTesting
import Market
import PairbookTestSupport
import ReportEngine
import Testing

@testable import Dashboard

struct ScriptPageAPITests {
    /// Every item of every section of a page answer.
    func items(_ page: [String: Any]) -> [[String: Any]] {
        ((page["sections"] as? [[String: Any]]) ?? []).flatMap { ($0["items"] as? [[String: Any]]) ?? [] }
    }

    func chart(_ page: [String: Any], title: String) -> [String: Any]? {
        items(page).compactMap { $0["chart"] as? [String: Any] }.first { ($0["title"] as? String) == title }
    }

    @Test("GET /api/reports/pair-overview/page evaluates the script's cells with the given params, as chart data and tables")
    func goodParams() async throws {
        let (base, quote) = syntheticBars()
        let app = try makeApplication(try makeDashboard(store: try storeWithBars()))
        try await app.test(.router) { client in
            try await client.execute(uri: "/api/reports/pair-overview/page?window=120&z_threshold=1.5", method: .get) { response in
                #expect(response.status == .ok)
                let page = try json(response)
                #expect(page["title"] as? String == "BTCUSDT vs ETHUSDT — pair overview")
                // The window ends at the end of the newest bar: the whole synthetic day.
                #expect(page["from"] as? Int64 == dayStart.milliseconds)
                #expect(page["symbols"] as? [String] == ["BTCUSDT", "ETHUSDT"])
                let params = try #require(page["params"] as? [[String: Any]])
                let window = try #require(params.first { $0["name"] as? String == "window" })
                #expect(window["value"] as? String == "120")
                #expect(window["min"] as? Double == 2 && window["max"] as? Double == 10000)
                #expect(params.first { $0["name"] as? String == "base" }?["type"] as? String == "symbol")

                // The candles are the stored bars.
                let candles = try #require(chart(page, title: "BTCUSDT") ?? items(page).compactMap { $0["chart"] as? [String: Any] }
                    .first { $0["kind"] as? String == "candlestick" })
                let bars = try #require(candles["bars"] as? [String: Any])
                #expect(bars["symbol"] as? String == "BTCUSDT")
                #expect((bars["c"] as? [Double])?.last == base.last?.close)
                #expect((bars["t"] as? [Int64])?.count == 1440)

                // The z-score is the pair's, with the 120-bar window, and the threshold lines at ±1.5.
                let expected = try PairAnalysis.compute(base: BarSeries(symbol: "BTCUSDT", timeframe: .oneMinute, bars: base),
                                                        quote: BarSeries(symbol: "ETHUSDT", timeframe: .oneMinute, bars: quote),
                                                        options: .init(window: 120))
                let z = try #require(chart(page, title: "z-score of the spread"))
                let zSeries = try #require((z["series"] as? [[String: Any]])?.first)
                let values = try #require(zSeries["values"] as? [Any])
                #expect(values.count == expected.series.zScore.count)
                #expect(values.first is NSNull)  // undefined until the window fills
                let lastZ = try #require(values.last as? Double), expectedZ = try #require(expected.series.zScore.last ?? nil)
                #expect(abs(lastZ - expectedZ) <= 1e-12 * abs(expectedZ))  // the same number, to JSON's last digit
                let references = try #require(z["references"] as? [[String: Any]])
                #expect(Set(references.compactMap { $0["value"] as? Double }) == [0, 1.5, -1.5])

                // The spread carries its σ bands; the tables come as rows.
                let spread = try #require(items(page).compactMap { $0["chart"] as? [String: Any] }.first { ($0["title"] as? String)?.hasPrefix("Spread") == true })
                #expect((spread["bands"] as? [String: Any])?["multiples"] as? [Double] == [1, 2])
                let tables = items(page).compactMap { $0["table"] as? [String: Any] }
                let stats = try #require(tables.first { ($0["title"] as? String) == "BTCUSDT/ETHUSDT statistics" })
                #expect((stats["rows"] as? [[String]])?.last == ["Observations", String(expected.observations)])
                #expect(items(page).contains { $0["kind"] as? String == "findings" })
            }
        }
    }

    @Test("a param outside the script's own rules is a 400 naming it", arguments: [
        ("window=1", "window"), ("base=not%20a%20symbol", "base"), ("timeframe=soon", "timeframe"), ("colour=red", "colour"),
        ("lookback=99999999d", "lookback"), ("points=3", "points"),
    ])
    func badParams(query: String, name: String) async throws {
        let app = try makeApplication(try makeDashboard(store: try storeWithBars()))
        try await app.test(.router) { client in
            try await client.execute(uri: "/api/reports/pair-overview/page?\(query)", method: .get) { response in
                #expect(response.status == .badRequest)
                let reason = try #require(try json(response)["error"] as? String)
                #expect(reason.contains(name))
                #expect(!reason.contains("\n"))
            }
        }
    }

    @Test("an unknown script is a 404, for the data and for the page")
    func unknownScript() async throws {
        let app = try makeApplication(try makeDashboard(store: try storeWithBars()))
        try await app.test(.router) { client in
            try await client.execute(uri: "/api/reports/no-such-report/page", method: .get) { response in
                #expect(response.status == .notFound)
            }
            try await client.execute(uri: "/reports/no-such-report", method: .get) { response in
                #expect(response.status == .notFound)
            }
            try await client.execute(uri: "/reports/pair-overview", method: .get) { response in
                #expect(response.status == .ok)
                let page = text(response)
                #expect(page.contains("<script type=\"module\" src=\"/assets/report.js\"></script>"))
                #expect(page.contains("<meta name=\"pairbook-script\" content=\"pair-overview\">"))
            }
        }
    }

    @Test("prose: a javascript: link from a param is not clickable, and raw HTML in the script shows as text")
    func proseIsSanitised() async throws {
        // Given a script whose prose links to a string param and holds raw HTML
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("pairbook-script-page-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try """
            ---
            title: "Links for {{base}}"
            params:
              base: BTCUSDT
              link: { type: string, default: "https://example.com/docs" }
            ---
            # Notes

            See [the notes]({{link}}) about **{{base}}**. <img src=x onerror=alert(1)><script>alert(2)</script>
            """.write(to: folder.appendingPathComponent("links.md"), atomically: true, encoding: .utf8)
        let root = SharedData.packageRoot.path
        let dashboard = try Dashboard(
            configuration: DashboardConfiguration(reportsDirectory: folder.path, outputDirectory: "/nonexistent", templatesDirectory: root + "/templates"),
            store: try storeWithBars(), hub: EventHub(), logger: quietLogger)
        let app = try makeApplication(dashboard)
        func prose(_ query: String) async throws -> String {
            try await app.test(.router) { client in
                try await client.execute(uri: "/api/reports/links/page?\(query)", method: .get) { response in
                    #expect(response.status == .ok)
                    return items(try json(response)).compactMap { $0["html"] as? String }.joined()
                }
            }
        }

        // When the link param is a javascript: URL, then the link has no href
        let hostile = try await prose("link=javascript:alert(document.cookie)")
        #expect(hostile.contains("<a rel=\"noopener noreferrer\">the notes</a>") || hostile.contains("<a>the notes</a>"))
        #expect(!hostile.lowercased().contains("href=\"javascript"))
        #expect(!hostile.contains("<script") && !hostile.contains("<img"))
        #expect(hostile.contains("&lt;script>alert(2)&lt;/script>"))
        #expect(hostile.contains("<strong>BTCUSDT</strong>"))

        // And an https link stays a link
        let friendly = try await prose("")
        #expect(friendly.contains("<a href=\"https://example.com/docs\" rel=\"noopener noreferrer\">the notes</a>"))
    }

    @Test("the sanitiser keeps Markdown's tags and safe links only", arguments: [
        ("<p><a href=\"jav&#x61;script:alert(1)\">x</a></p>", "<p><a>x</a></p>"),
        ("<a href=\"JavaScript:alert(1)\">x</a>", "<a>x</a>"),
        ("<a href=\"data:text/html,hi\">x</a>", "<a>x</a>"),
        ("<a href=\"notes/today.html\" onclick=\"x()\">x</a>", "<a href=\"notes/today.html\" rel=\"noopener noreferrer\">x</a>"),
        ("<h3>T</h3><ul><li><em>a</em></li></ul>", "<h3>T</h3><ul><li><em>a</em></li></ul>"),
        ("<iframe src=\"https://x\"></iframe>", "&lt;iframe src=\"https://x\">&lt;/iframe>"),
        ("<p style=\"color:red\">a < b</p>", "<p>a &lt; b</p>"),
    ])
    func sanitiser(input: String, expected: String) {
        #expect(ProseSanitizer.sanitise(input) == expected)
    }
}
