import ArgumentParser
import Foundation
import PairbookTestSupport

/// `pairbook-bench replay`: a Binance combined-stream stand-in on 127.0.0.1 for benches driven from outside (the
/// dashboard bench's fan-out part): real BTCUSDT/ETHUSDT trades of 2024-07-19 with contiguous ids and trade times
/// paced at `--rate`, sent at that rate from the moment the first client connects, for `--seconds`.
///
/// Prints one line per event on stdout, for the driving script: `listening PORT`, `connected`, `finished SENT`.
/// A Python WebSocket server reached about 14,000 trades/s on this machine; this one (SwiftNIO, the collector bench's
/// server) keeps 20,000.
struct ReplayBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Serve replayed real trades as a Binance combined stream at a fixed rate (for the dashboard bench).")

    @Option(help: "Trades per second.")
    var rate = 20_000

    @Option(help: "Seconds of trades to send.")
    var seconds = 90

    func run() async throws {
        let template = try CollectorBench.templateTrades()
        let frames = CollectorBench.frames(count: rate * seconds, rate: rate, template: template)
        // Unbuffered: the driving script reads each line as it comes.
        let say: @Sendable (String) -> Void = { line in FileHandle.standardOutput.write(Data((line + "\n").utf8)) }
        try await FakeBinanceServer.withServer(steps: [.waitForClients(1)] + frames.map { .frame($0) },
                                               framesPerSecond: Double(rate)) { server in
            say("listening \(server.port)")
            try await FakeBinanceServer.wait(timeout: .seconds(600)) { server.connectedClients > 0 }
            say("connected")
            try await server.waitUntilFinished(timeout: .seconds(Int64(seconds) * 3 + 60))
            say("finished \(server.deliveredFrameIndices.count)")
        }
    }
}
