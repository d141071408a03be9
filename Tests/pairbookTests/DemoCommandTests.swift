import Foundation
import Market
import PairbookTestSupport
import Testing

@Suite(.enabled(if: ImporterCLI.isAvailable, "pairbook binary not found next to the tests (set PAIRBOOK_BINARY)"))
struct DemoCommandTests {
    // Three hours: enough 1m bars for the rolling windows of the reports that `demo` renders afterwards.
    @Test("demo writes a seeded simulated pair into a fresh database and prints its status; status agrees")
    func demo() async throws {
        let dir = try Fixtures.temporaryDirectory(prefix: "pairbook-cli")
        let args = ["demo", "--date", "2024-07-19", "--duration", "3h", "--seed", "7"]
        let first = try await ImporterCLI.run(args, in: dir)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.contains("demo: BTCUSDT/ETHUSDT 2024-07-19T00:00:00Z – 2024-07-19T03:00:00Z, seed 7"))
        #expect(first.stdout.contains("database: demo.sqlite"))
        #expect(first.stdout.contains("BTCUSDT") && first.stdout.contains("ETHUSDT") && first.stdout.contains("5m: 36"))
        let ticks1 = try await ImporterCLI.run(["export", "ticks", "--db", "demo.sqlite", "--symbol", "ETHUSDT"], in: dir)

        // Same seed, fresh database again: the same trades.
        let second = try await ImporterCLI.run(args, in: dir)
        #expect(second.status == 0)
        let ticks2 = try await ImporterCLI.run(["export", "ticks", "--db", "demo.sqlite", "--symbol", "ETHUSDT"], in: dir)
        #expect(ticks1.stdout == ticks2.stdout)
        #expect(ticks1.stdout.split(separator: "\r\n").count > 2_000)

        let status = try await ImporterCLI.run(["status", "--db", "demo.sqlite"], in: dir)
        #expect(status.status == 0)
        #expect(status.stdout.contains("first trade") && status.stdout.contains("2024-07-19T00:00:00Z"))
        #expect(status.stdout.contains("1s: ") && status.stdout.contains("1m: 180"))
    }

    @Test("status on a missing database says so")
    func missing() async throws {
        let dir = try Fixtures.temporaryDirectory(prefix: "pairbook-cli")
        let result = try await ImporterCLI.run(["status", "--db", "nothing.sqlite"], in: dir)
        #expect(result.status == 1)
        #expect(result.stderr.contains("no such database"))
    }
}
