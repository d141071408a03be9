import Foundation
import PairbookTestSupport
import Testing

/// `pairbook <command> --help`, as a user reads it, against committed text: an option renamed, dropped or reworded
/// shows up here. `RECORD_GOLDEN=1` rewrites the goldens (Tests/pairbookTests/Golden/help-*.txt).
@Suite("--help of every command")
struct HelpGoldenTests {
    static let commands = ["", "status", "import", "export", "demo", "analyze", "report", "chart", "collect", "fetch", "run", "serve", "migrate"]

    @Test("--help matches its golden", arguments: commands)
    func help(_ command: String) async throws {
        let dir = try Fixtures.temporaryDirectory(prefix: "pairbook-help")
        // A fixed width, so the wrapping is the same in every terminal and in CI.
        let result = try await ImporterCLI.run((command.isEmpty ? [] : [command]) + ["--help"], in: dir, environment: ["COLUMNS": "100"])
        #expect(result.status == 0, "\(result.stderr)")
        let name = "help-\(command.isEmpty ? "pairbook" : command).txt"
        let outcome = Golden.check(Data(result.stdout.utf8), named: name)
        #expect(outcome == .matched, "\(outcome)")
    }

    @Test("a bad pair, span or time keeps its own message", arguments: [
        (["analyze", "--pair", "BTCUSDT"], "invalid pair 'BTCUSDT': expected two different symbols as BASE/QUOTE"),
        (["chart", "zscore", "--pair", "BTCUSDT/ETHUSDT", "--lookback", "soon", "--out", "z.png"], "soon"),
        (["export", "bars", "--symbol", "BTCUSDT", "--from", "yesterday"], "yesterday"),
        (["export", "bars", "--symbol", "BTCUSDT", "--from", "2024-01-01", "--lookback", "1h"], "use either --from/--to or --lookback/--at, not both"),
        (["analyze", "--pair", "BTCUSDT/ETHUSDT", "--at", "2024-01-01"], "--at needs --lookback"),
    ])
    func badValues(_ arguments: [String], _ message: String) async throws {
        let dir = try Fixtures.temporaryDirectory(prefix: "pairbook-help")
        let result = try await ImporterCLI.run(arguments + ["--db", "p.sqlite"], in: dir)
        #expect(result.status != 0)
        #expect(result.stderr.contains(message), "\(result.stderr)")
        #expect(!result.stderr.contains("is invalid for") || result.stderr.contains(": "), "\(result.stderr)")
    }
}
