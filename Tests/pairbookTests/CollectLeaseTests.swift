import Foundation
import Market
import PairbookTestSupport
import Storage
import Testing

/// A second `pairbook collect` of a symbol that another one records into the same database is refused with one clear
/// line (issue 12 item 4); `--share-symbols` records alongside it; the first gives its lease up when it stops.
@Suite("pairbook collect: one collector per symbol", .enabled(if: ImporterCLI.isAvailable, "pairbook binary not built"))
struct CollectLeaseTests {
    static let frame = #"{"stream":"btcusdt@trade","data":{"e":"trade","E":1721347023019,"T":1721347023018,"s":"BTCUSDT","t":5182005738,"p":"63943.90","q":"0.017","X":"MARKET","m":true}}"#

    @Test("the second collector is refused while the first runs, shares when asked, and the lease goes when the first stops")
    func secondCollectorRefused() async throws {
        let dir = try Fixtures.temporaryDirectory(prefix: "pairbook-collect-lease")
        let db = dir.appendingPathComponent("lease.sqlite").path
        let steps: [FakeBinanceServer.Step] = [.waitForClients(1), .frame(Self.frame), .pause(.seconds(600))]
        try await FakeBinanceServer.withServer(steps: steps) { server in
            let first = try ImporterCLI.start(["collect", "--db", db, "--symbols", "BTCUSDT", "--endpoint", server.baseURL], in: dir)
            defer { if first.isRunning { kill(first.processIdentifier, SIGKILL) } }
            // Connected: its services (and signal handlers) run.
            try await FakeBinanceServer.wait(timeout: .seconds(120)) { server.connectedClients == 1 }
            #expect(try Store(path: db, logger: .quiet).collectorLeases().map(\.symbol) == ["BTCUSDT"])
            let second = try await ImporterCLI.run(["collect", "--db", db, "--symbols", "ETHUSDT,BTCUSDT", "--endpoint", server.baseURL], in: dir)
            #expect(second.status != 0)
            #expect(second.stderr.contains("BTCUSDT is being collected by another pairbook (pid \(first.processIdentifier) on "),
                    "\(second.stderr)")
            #expect(second.stderr.split(separator: "\n").count == 1, "one line: \(second.stderr)")
            #expect(try Store(path: db, logger: .quiet).collectorLeases().map(\.symbol) == ["BTCUSDT"])

            // Asked to share, a second collector starts (and holds ETHUSDT only); stopped, it gives its lease up.
            let sharing = try ImporterCLI.start(["collect", "--db", db, "--symbols", "ETHUSDT,BTCUSDT", "--share-symbols",
                                                 "--endpoint", server.baseURL], in: dir)
            try await FakeBinanceServer.wait(timeout: .seconds(120)) { server.connectedClients == 2 }
            #expect(try Store(path: db, logger: .quiet).collectorLeases().map(\.symbol) == ["BTCUSDT", "ETHUSDT"])
            kill(sharing.processIdentifier, SIGTERM)
            sharing.waitUntilExit()
            #expect(sharing.terminationReason == .exit && sharing.terminationStatus == 0)
            #expect(try Store(path: db, logger: .quiet).collectorLeases().map(\.symbol) == ["BTCUSDT"])

            kill(first.processIdentifier, SIGTERM)
            first.waitUntilExit()
            #expect(first.terminationReason == .exit && first.terminationStatus == 0)
            #expect(try Store(path: db, logger: .quiet).collectorLeases().isEmpty)
        }
    }
}
