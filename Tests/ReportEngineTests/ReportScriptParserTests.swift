import Alerts
import Foundation
import Market
import PairbookTestSupport
import ReportEngine
import Testing

@Suite("ReportScript parser")
struct ReportScriptParserTests {
    @Test("the shipped pair-overview script parses into typed parameters, rules and cells")
    func shippedScript() throws {
        let script = try ReportScript(contentsOf: TestPaths.report("pair-overview.md"))
        #expect(script.name == "pair-overview")
        #expect(script.parameters["base"] == .symbol("BTCUSDT"))
        #expect(script.parameters["timeframe"] == .timeframe(.oneMinute))
        #expect(script.parameters["lookback"] == .duration(.hours(24)))
        #expect(script.parameters["window"] == .int(60))
        #expect(script.parameters["z_threshold"] == .float(2.0))
        #expect(script.schedule?.source == "5 * * * *")
        #expect(script.formats == [.html, .pdf, .csv])
        #expect(script.alerts.map(\.metric) == [.zScore, .zScore, .correlation, .adfPValue])
        #expect(script.alerts[0].pendingFor == .minutes(5))
        #expect(script.cells.map(\.label) == [
            "chart prices", "chart candlestick", "chart candlestick", "chart spread", "chart zscore", "chart correlation",
            "chart hedge_ratio", "table pair_stats", "table adf", "table liquidity", "findings", "quality", "export",
        ])
        #expect(script.cells[1].location.line == 36)
    }

    @Test("the shipped daily-summary script parses")
    func dailySummary() throws {
        let script = try ReportScript(contentsOf: TestPaths.report("daily-summary.md"))
        #expect(script.parameters["pairs"] == .list([.pair(Pair(base: "BTCUSDT", quote: "ETHUSDT"))]))
        #expect(script.parameters["window"] == .int(120))
        #expect(script.schedule?.source == "10 0 * * *")
    }

    static let header = "---\ntitle: T\nparams: { base: BTCUSDT, quote: ETHUSDT }\n---\n"

    /// (script text, the error's description).
    static let errorCases: [(String, String)] = [
        ("# no front matter\n", "x.md:1: expected front matter starting with a line '---'"),
        ("---\ntitle: T\n", "x.md:1: expected a line '---' closing the front matter"),
        ("---\ntitle: T\ntitel: U\n---\n", "x.md:3: unknown key 'titel' in front matter: expected one of title, subtitle"),
        (header + "\n```pairbook\nchrt: spread\n```\n", "x.md:7: unknown cell type 'chrt': expected one of chart, table, findings, quality, export"),
        (header + "```pairbook\nchart: spread\npair: BTCUSDT/ETHUSDT\ncolour: red\n```\n", "x.md:8: unknown key 'colour' in chart cell"),
        (header + "```pairbook\nchart: pie\n```\n", "x.md:6: unknown chart 'pie': expected one of candlestick, prices"),
        (header + "text\n\n```pairbook\nchart: spread\n", "x.md:7: expected a line ``` closing this pairbook cell"),
        (header + "Line one\nHedge {{pair.hedgeratio}}\n", "x.md:6: unknown placeholder {{pair.hedgeratio}}"),
        (header + "Hedge {{pair.hedge_ratio | .x}}\n", "x.md:5: expected a format .N"),
        (header + "```pairbook\nchart: spread\n  pair: [oops\n```\n", "x.md:7: expected valid YAML"),
        (header + "```pairbook\ntable: bars\nrows: many\n```\n", "x.md:7: expected an integer for 'rows' in table cell"),
        ("---\ntitle: T\nalerts:\n  - { name: a, metric: z_score, condition: \">\", threshold: 2, clear_threshold: 3 }\n---\n",
         "x.md:4: alert 'a': clear_threshold 3.0 must be at or below threshold 2.0 for condition >"),
        ("---\ntitle: T\nalerts:\n  - name: a\n    metric: z_score\n    condition: \">\"\n    treshold: 2\n---\n",
         "x.md:7: unknown key 'treshold' in alert rule"),
        // Trapped in the evaluator (bar width × 5 overflowed Int64) before the rule limit (Fuzz/fuzz-alerts).
        ("---\ntitle: T\nalerts:\n  - { name: a, metric: z_score, condition: \">\", threshold: 2, timeframe: 100000000000d }\n---\n",
         "x.md:4: alert 'a': timeframe must be at most 3650d (10 years)"),
        ("---\ntitle: T\nparams:\n  window: { type: integer, default: 3 }\n---\n", "x.md:4: expected type: one of int, float"),
        ("---\ntitle: T\nparams:\n  window: { type: int, default: abc }\n---\n",
         "x.md:4: parameter 'window' = 'abc': expected an integer"),
        // `Int(1e300)` trapped while the declaration was read (Fuzz/fuzz-script).
        ("---\ntitle: T\nparams:\n  window: { type: int, default: 3, min: 1e300 }\n---\n",
         "x.md:4: expected a whole number for min of parameter 'window'"),
        ("---\ntitle: T\nparams:\n  window: { type: int, default: 3, max: nan }\n---\n",
         "x.md:4: expected a whole number for max of parameter 'window'"),
        ("---\ntitle: T\nschedule: every hour\n---\n", "x.md:3: cron \"every hour\": expected 5 fields"),
        ("---\ntitle: T\nformats: [html, docx]\n---\n", "x.md:3: expected formats: a list of html, pdf, csv (found 'docx')"),
        ("---\ntitle: \"{{nope}}\"\n---\n", "x.md:2: unknown placeholder {{nope}}"),
        ("---\n" + HostileYAML.billionLaughs + "---\n", "x.md:2: YAML aliases expand to more than 100,000 nodes"),
        (header + "```pairbook\n" + HostileYAML.billionLaughs + "```\n", "x.md:6: YAML aliases expand to more than 100,000 nodes"),
    ]

    @Test("malformed scripts fail with file:line and what was expected", arguments: errorCases)
    func errors(_ text: String, _ expected: String) {
        #expect {
            _ = try ReportScript(text: text, path: "x.md")
        } throws: { error in
            let message = "\(error)"
            if !message.hasPrefix(expected) { Issue.record("got: \(message)") }
            return error is ScriptError
        }
    }

    @Test("a date param with microseconds is a date (reading it trapped, found with Fuzz/fuzz-script)")
    func microsecondDate() throws {
        let script = try ReportScript(text: "---\ntitle: T\nparams:\n  at: 2024-07-19T00:00:02.812345Z\n---\n", path: "x.md")
        #expect(script.parameters["at"] == .date(Timestamp(milliseconds: 1_721_347_202_812)))
    }

    @Test("cells may not name two types; prose around cells keeps its lines")
    func bodySplit() throws {
        let text = Self.header + "Intro {{base}}\n\n```pairbook\nfindings: all\n```\nAfter\n```python\n```pairbook\n```\n"
        let script = try ReportScript(text: text, path: "x.md")
        guard script.blocks.count == 3, case .prose(let intro, let line) = script.blocks[0], case .prose(let after, let afterLine) = script.blocks[2]
        else {
            Issue.record("unexpected blocks \(script.blocks)")
            return
        }
        #expect(intro.hasPrefix("Intro"))
        #expect(line == 5)
        #expect(after.hasPrefix("After"))
        #expect(afterLine == 10)
        #expect(throws: ScriptError.self) {
            try ReportScript(text: Self.header + "```pairbook\nchart: spread\ntable: adf\n```\n", path: "x.md")
        }
    }

    @Test("on_trigger and output name are read from the front matter")
    func automation() throws {
        let script = try ReportScript(text: "---\ntitle: T\non_trigger: \"echo $PAIRBOOK_REPORT\"\noutput: { name: my-report }\n---\n",
                                      path: "x.md")
        #expect(script.onTrigger == "echo $PAIRBOOK_REPORT")
        #expect(script.name == "my-report")
        #expect { try ReportScript(text: "---\ntitle: T\noutput: { name: ../up }\n---\n", path: "x.md") } throws: {
            "\($0)".hasPrefix("x.md:3: expected output name")
        }
    }

    @Test("standard parameters are declared when a script does not declare them")
    func standardParameters() throws {
        let script = try ReportScript(text: "---\ntitle: T\n---\n", path: "x.md")
        #expect(script.parameters.names == ["timeframe", "lookback", "window"])
    }
}
