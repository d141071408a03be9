import Foundation
import Market
import PairbookTestSupport
import Testing

@Suite(.enabled(if: ImporterCLI.isAvailable, "pairbook binary not found next to the tests (set PAIRBOOK_BINARY)"))
struct ExportCommandTests {
    @Test("export writes RFC 4180 CSV with a header and ISO-8601 UTC times, to stdout or --out")
    func export() async throws {
        let dir = try Fixtures.temporaryDirectory(prefix: "pairbook-cli")
        let text = "id,price,qty,quote_qty,time,is_buyer_maker\n1,100.5,0.1,10.05,1721347200000,true\n2,100.6,0.2,20.12,1721347201500,false\n3,101,0.3,30.3,1721347260000,false\n"
        let file = dir.appendingPathComponent("BTCUSDT-trades-2024-07-19.csv")
        try Data(text.utf8).write(to: file)
        #expect(try await ImporterCLI.run(["import", "--db", "e.sqlite", file.path], in: dir).status == 0)

        let bars = try await ImporterCLI.run(["export", "bars", "--db", "e.sqlite", "--symbol", "BTCUSDT", "--timeframe", "1m"], in: dir)
        #expect(bars.status == 0, "\(bars.stderr)")
        #expect(bars.stdout == """
            open_time,symbol,timeframe,open,high,low,close,volume,quote_volume,trades,taker_buy_volume\r
            2024-07-19T00:00:00.000Z,BTCUSDT,1m,100.5,100.6,100.5,100.6,0.3,30.17,2,0.2\r
            2024-07-19T00:01:00.000Z,BTCUSDT,1m,101.0,101.0,101.0,101.0,0.3,30.3,1,0.3\r

            """)

        let ticks = try await ImporterCLI.run(["export", "ticks", "--db", "e.sqlite", "--symbol", "BTCUSDT",
                                         "--from", "2024-07-19T00:00:01Z", "--to", "2024-07-19T00:01:00Z", "--out", "t.csv"], in: dir)
        #expect(ticks.status == 0, "\(ticks.stderr)")
        #expect(ticks.stdout.isEmpty)
        let written = try String(contentsOf: dir.appendingPathComponent("t.csv"), encoding: .utf8)
        #expect(written == "time,symbol,trade_id,price,quantity,is_buyer_maker\r\n2024-07-19T00:00:01.500Z,BTCUSDT,2,100.6,0.2,false\r\n")
    }

    @Test("--to before --from is a usage error")
    func badRange() async throws {
        let dir = try Fixtures.temporaryDirectory(prefix: "pairbook-cli")
        let result = try await ImporterCLI.run(["export", "ticks", "--db", "x.sqlite", "--symbol", "BTCUSDT",
                                          "--from", "2024-07-19", "--to", "2024-07-18"], in: dir)
        #expect(result.status != 0)
        #expect(result.stderr.contains("--to"))
    }
}
