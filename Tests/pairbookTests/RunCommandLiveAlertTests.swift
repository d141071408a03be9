import Foundation
import Market
import PairbookTestSupport
import Testing

/// `pairbook run` live alerts end to end: a scheduled script's rule fires on bars built from replayed trades, and the
/// script's `on_trigger` command runs and the alert is mailed then, not at the next scheduled report.
@Suite(.enabled(if: ImporterCLI.isAvailable, "pairbook binary not found next to the tests (set PAIRBOOK_BINARY)"))
struct RunCommandLiveAlertTests {
    /// A combined-stream BTCUSDT trade frame at `time` (ms).
    static func frame(_ id: Int64, time: Int64, price: Double) -> String {
        #"{"stream":"btcusdt@trade","data":{"e":"trade","E":\#(time),"T":\#(time),"s":"BTCUSDT","t":\#(id),"p":"\#(price)","q":"0.002","X":"MARKET","m":false}}"#
    }

    @Test("a script's rule that newly fires on replayed bars runs its on_trigger command with the alert in its environment, and is mailed",
          .timeLimit(.minutes(4)))
    func onTriggerRuns() async throws {
        // Given a scheduled script (that will not come due) with a rule on BTCUSDT's 1-minute close and an on_trigger command
        let dir = try Fixtures.temporaryDirectory(prefix: "pairbook-run-live-alert")
        try Data("""
            ---
            title: "Spike watch"
            params: { symbol: BTCUSDT, timeframe: 1m }
            schedule: "0 0 1 1 *"
            formats: [html]
            alerts:
              - { name: price spike, metric: close, condition: ">", threshold: 67500, symbol: BTCUSDT }
            on_trigger: 'printf "%s|%s|%s|%s" "$PAIRBOOK_REPORT" "$PAIRBOOK_RULE" "$PAIRBOOK_SUBJECT" "$PAIRBOOK_VALUE" > fired.txt'
            ---
            # Spike
            """.utf8).write(to: dir.appendingPathComponent("spike.md"))
        // And trades of five minutes: only the third minute closes above the threshold. The pauses let the live feed
        // see the symbol (it looks for new symbols every 5 s) and each new bar open.
        let start: Int64 = 1_721_347_200_000
        let prices: [Double] = [67_000, 67_100, 68_000, 67_200, 67_300]
        var steps: [FakeBinanceServer.Step] = [.waitForClients(1)]
        var id: Int64 = 1
        for (minute, price) in prices.enumerated() {
            for second in stride(from: 0, to: 60, by: 20) {
                steps.append(.frame(Self.frame(id, time: start + Int64(minute) * 60_000 + Int64(second) * 1000, price: price)))
                id += 1
            }
            steps.append(.pause(minute == 0 ? .seconds(7) : .seconds(1)))
        }
        // And an SMTP server for `delivery.email`
        let smtp = try SMTPTestServer(mode: .plain)
        defer { smtp.stop() }
        try Data("""
            delivery:
              email:
                to: [desk@example.com]
                from: pairbook@example.com
                smtp: { host: 127.0.0.1, port: \(smtp.port), security: plain }
            """.utf8).write(to: dir.appendingPathComponent("pairbook.yaml"))
        let port = try LoopbackHTTP.freePort()
        try await FakeBinanceServer.withServer(steps: steps, framesPerSecond: 600) { server in
            let process = try ImporterCLI.start(
                ["run", "--config", "pairbook.yaml", "--db", "run.sqlite", "--symbols", "BTCUSDT", "--endpoint", server.baseURL,
                 "--listen", "127.0.0.1:\(port)", "--no-catch-up", "--report", "spike.md"], in: dir)
            defer {
                kill(process.processIdentifier, SIGTERM)
                process.waitUntilExit()
            }
            // When the replay is done and the third minute's bar has closed
            try await server.waitUntilFinished(timeout: .seconds(120))
            // Then the command ran, for that rule and bar
            let fired = dir.appendingPathComponent("fired.txt")
            let expected = "spike|price spike|BTCUSDT|68000.0"
            try? await FakeBinanceServer.wait(timeout: .seconds(60)) { (try? String(contentsOf: fired, encoding: .utf8)) == expected }
            #expect((try? String(contentsOf: fired, encoding: .utf8)) == expected)
        }
        // And the alert was mailed, once, with its summary in the body and nothing attached
        let (_, mail) = try await smtp.message(1)
        #expect(mail["subject"] as? String == "[warning] price spike firing on BTCUSDT")
        #expect(mail["rcpt_tos"] as? [String] == ["desk@example.com"])
        #expect((mail["text"] as? String)?.contains("close = 68000.0 (threshold 67500.0) at 2024-07-19T00:02:00Z") == true, "\(mail)")
        #expect((mail["attachments"] as? [Any])?.isEmpty == true)
        #expect(smtp.messageCount == 1)
    }
}
