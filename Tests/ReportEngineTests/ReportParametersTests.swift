import Foundation
import Market
import PairbookTestSupport
import ReportEngine
import Testing

@Suite("ReportParameters")
struct ReportParametersTests {
    static let script = """
        ---
        title: T
        params:
          base: BTCUSDT
          pair: BTCUSDT/ETHUSDT
          window: { type: int, default: 60, min: 2 }
          ratio: 0.5
          lookback: 24h
          since: 2024-01-01
          mode: { type: enum, values: [fast, full], default: fast }
          symbols: { type: list, of: symbol, default: [BTCUSDT, ETHUSDT] }
          note: hello
          verbose: false
        ---
        {{note}}
        """

    func parameters() throws -> ReportParameters {
        try ReportScript(text: Self.script, path: "p.md").parameters
    }

    @Test("declarations and inference give typed defaults")
    func defaults() throws {
        let p = try parameters()
        #expect(p["base"] == .symbol("BTCUSDT"))
        #expect(p["pair"] == .pair(Pair(base: "BTCUSDT", quote: "ETHUSDT")))
        #expect(p["window"] == .int(60))
        #expect(p["ratio"] == .float(0.5))
        #expect(p["lookback"] == .duration(.hours(24)))
        #expect(p["since"] == .date(Timestamp(CivilTime(year: 2024, month: 1, day: 1))))
        #expect(p["mode"] == .string("fast"))
        #expect(p["symbols"] == .list([.symbol("BTCUSDT"), .symbol("ETHUSDT")]))
        #expect(p["note"] == .string("hello"))
        #expect(p["verbose"] == .bool(false))
    }

    @Test("-p values are typed by the declaration", arguments: [
        ("window=2", "window", ParamValue.int(2)),
        ("ratio=2", "ratio", ParamValue.float(2)),
        ("base=solusdt", "base", ParamValue.symbol("SOLUSDT")),
        ("pair=SOLUSDT/BNBUSDT", "pair", ParamValue.pair(Pair(base: "SOLUSDT", quote: "BNBUSDT"))),
        ("lookback=90m", "lookback", ParamValue.duration(.minutes(90))),
        ("mode=full", "mode", ParamValue.string("full")),
        ("symbols=XRPUSDT,BNBUSDT", "symbols", ParamValue.list([.symbol("XRPUSDT"), .symbol("BNBUSDT")])),
        ("note=a=b", "note", ParamValue.string("a=b")),
        ("timeframe=5m", "timeframe", ParamValue.timeframe(.fiveMinutes)),
        ("verbose=yes", "verbose", ParamValue.bool(true)),
    ])
    func overrides(_ assignment: String, _ name: String, _ value: ParamValue) throws {
        var p = try parameters()
        try p.apply(assignments: [assignment])
        #expect(p[name] == value)
    }

    @Test("bad -p values name the parameter and what was expected", arguments: [
        ("window=2.5", "-p window: parameter 'window' = '2.5': expected an integer ≥ 2"),
        ("window=1", "-p window: parameter 'window' = '1': expected an integer ≥ 2"),
        ("mode=slow", "-p mode: parameter 'mode' = 'slow': expected one of fast, full"),
        ("base=BTC/USDT", "-p base: parameter 'base' = 'BTC/USDT': expected a symbol such as BTCUSDT"),
        ("lookback=1 day", "-p lookback: parameter 'lookback' = '1 day': expected a duration such as 30s, 15m, 24h, 7d"),
        ("windw=3", "-p windw: unknown parameter 'windw': the script declares base, pair, window, ratio, lookback, since, mode, symbols, note, verbose, timeframe"),
        ("window", "-p: parameter 'window' = '': expected key=value"),
    ])
    func badOverrides(_ assignment: String, _ message: String) throws {
        var p = try parameters()
        #expect { try p.apply(assignments: [assignment]) } throws: { "\($0)" == message }
    }

    @Test("--params files are typed, and their errors carry file:line")
    func paramsFile() throws {
        var p = try parameters()
        let good = try TestPaths.script("window: 7\nsymbols: [SOLUSDT]\nbase: ETHUSDT\n", name: "good.yaml")
        try p.apply(paramsFile: good)
        #expect(p["window"] == .int(7))
        #expect(p["symbols"] == .list([.symbol("SOLUSDT")]))
        let bad = try TestPaths.script("window: 7\nwindoww: 8\n", name: "bad.yaml")
        #expect { try p.apply(paramsFile: bad) } throws: { "\($0)".hasPrefix("\(bad):2: unknown parameter 'windoww'") }
        let badValue = try TestPaths.script("\nwindow: seven\n", name: "badvalue.yaml")
        #expect { try p.apply(paramsFile: badValue) } throws: { "\($0)".hasPrefix("\(badValue):2: parameter 'window' = 'seven'") }
        let laughs = try TestPaths.script(HostileYAML.billionLaughs, name: "laughs.yaml")
        #expect { try p.apply(paramsFile: laughs) } throws: { "\($0)".hasPrefix("\(laughs):1: YAML aliases expand to more than 100,000 nodes") }
    }

    @Test("params are recorded as JSON in declaration order")
    func json() throws {
        var p = try parameters()
        try p.apply(assignments: ["note=say \"hi\""])
        #expect(p.json.hasPrefix(#"{"base":"BTCUSDT","pair":"BTCUSDT/ETHUSDT","window":60,"ratio":0.5,"lookback":"1d","#))
        #expect(p.json.contains(#""note":"say \"hi\"""#))
    }
}
