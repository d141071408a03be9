import Foundation
import Market
import PairbookTestSupport
import Storage
import Testing

/// `pairbook run` killed with SIGKILL while it records replayed real traffic, then started again while the stream has
/// moved on: the hole across the downtime is found and backfilled from a REST stand-in, and no trade is lost.
@Suite("pairbook run: kill -9, restart, backfill", .enabled(if: SharedData.isAvailable, Comment(rawValue: SharedData.skipReason)))
struct RunRestartTests {
    /// One trade of the capture, as the REST stand-in serves it.
    struct Trade: Sendable {
        var symbol: String
        var id: Int64
        var json: String
    }

    /// BTC and ETH of 2024-07-18 23:57–24:00 UTC (Binance's own frames, merged by receive time) and their market trades.
    static let frames: [String] = (try? FakeBinanceServer.Capture.frames(["btcusdt_20240718.gz", "ethusdt_20240718.gz"])) ?? []
    static let trades: [Trade] = frames.compactMap { frame in
        guard let object = try? JSONSerialization.jsonObject(with: Data(frame.utf8)) as? [String: Any],
              let data = object["data"] as? [String: Any], data["e"] as? String == "trade", data["X"] as? String == "MARKET",
              let symbol = data["s"] as? String, let id = (data["t"] as? NSNumber)?.int64Value,
              let price = data["p"] as? String, let quantity = data["q"] as? String,
              let time = (data["T"] as? NSNumber)?.int64Value, let buyerMaker = data["m"] as? Bool
        else { return nil }
        return Trade(symbol: symbol, id: id, json: #"{"id":\#(id),"price":"\#(price)","qty":"\#(quantity)","time":\#(time),"isBuyerMaker":\#(buyerMaker)}"#)
    }

    /// `/fapi/v1/historicalTrades` over the capture: trades of `symbol` from `fromId`, at most `limit`.
    static func historicalTrades(_ request: FakeHTTPServer.Request) -> FakeHTTPServer.Response {
        guard request.path == "/fapi/v1/historicalTrades", request.headers["x-mbx-apikey"] == "test-key",
              let symbol = request.query["symbol"], let from = Int64(request.query["fromId"] ?? ""),
              let limit = Int(request.query["limit"] ?? "") else { return .notFound }
        let page = trades.filter { $0.symbol == symbol && $0.id >= from }.sorted { $0.id < $1.id }.prefix(limit)
        return .init(body: Data(("[" + page.map(\.json).joined(separator: ",") + "]").utf8))
    }

    @Test("the downtime's hole is backfilled: every trade of the capture stored once, every gap filled")
    func killAndRestart() async throws {
        let dir = try Fixtures.temporaryDirectory(prefix: "pairbook-run-restart")
        let db = dir.appendingPathComponent("run.sqlite").path
        let environment = ["BINANCE_API_KEY": "test-key"]
        let expected = Set(Self.trades.map { "\($0.symbol) \($0.id)" })
        try await FakeHTTPServer.withServer(Self.historicalTrades) { rest in
            @Sendable func run(endpoint: String) throws -> Process {
                try ImporterCLI.start(["run", "--db", db, "--symbols", "BTCUSDT,ETHUSDT", "--endpoint", endpoint,
                                       "--rest-endpoint", rest.baseURL, "--listen", "127.0.0.1:\(try LoopbackHTTP.freePort())",
                                       "--no-catch-up"], in: dir, environment: environment)
            }
            // Given pairbook run recording the first half of the capture, killed with SIGKILL mid-stream
            let first = [FakeBinanceServer.Step.waitForClients(1)] + Self.frames[..<12_000].map { .frame($0) } + [.pause(.seconds(600))]
            try await FakeBinanceServer.withServer(steps: first, framesPerSecond: 3000) { server in
                let process = try run(endpoint: server.baseURL)
                try await FakeBinanceServer.wait(timeout: .seconds(300)) { ((try? Store(path: db, logger: .quiet).tickCount()) ?? 0) >= 500 }
                kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
                #expect(process.terminationReason == .uncaughtSignal)
            }
            let afterKill = try Store(path: db, logger: .quiet).tickCount()
            // When it starts again on a stream that has moved on (frames 12,000–15,999 never reach it)
            let second = [FakeBinanceServer.Step.waitForClients(1)] + Self.frames[16_000...].map { .frame($0) } + [.pause(.seconds(600))]
            try await FakeBinanceServer.withServer(steps: second, framesPerSecond: 3000) { server in
                let process = try run(endpoint: server.baseURL)
                // Then the hole is found and filled from REST: every trade of the capture, each once
                try await FakeBinanceServer.wait(timeout: .seconds(300)) {
                    guard let store = try? Store(path: db, logger: .quiet), let count = try? store.tickCount(), count >= expected.count,
                          let gaps = try? store.gaps() else { return false }
                    return gaps.allSatisfy { $0.filledAt != nil }
                }
                kill(process.processIdentifier, SIGTERM)
                process.waitUntilExit()
                #expect(process.terminationReason == .exit && process.terminationStatus == 0)
            }
            let store = try Store(path: db, logger: .quiet)
            #expect(afterKill > 0 && afterKill < expected.count, "killed mid-stream: \(afterKill) of \(expected.count)")
            #expect(try store.tickCount() == expected.count)
            let gaps = try store.gaps()
            #expect(!gaps.isEmpty && gaps.allSatisfy { $0.filledAt != nil }, "\(gaps)")
            #expect(rest.requests.contains { $0.hasPrefix("/fapi/v1/historicalTrades") })
            #expect(try store.integrityCheck() == ["ok"])
        }
    }
}
