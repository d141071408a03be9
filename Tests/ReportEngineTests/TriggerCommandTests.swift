import Foundation
import Logging
import Market
import ReportEngine
import Storage
import Testing

@Suite("on_trigger: the shell command run after a run with a firing alert")
struct TriggerCommandTests {
    @Test("the command sees the run in PAIRBOOK_* variables and exits 0")
    func environment() async throws {
        // Given a run whose z-score alert fires
        let store = try SyntheticMarket.store()
        let out = try TestPaths.temporaryFolder()
        let marker = out.appendingPathComponent("triggered.txt").path
        let script = try TestPaths.script("""
            ---
            title: Triggered
            params: { base: BTCUSDT, quote: ETHUSDT, lookback: 6h }
            formats: [csv]
            alerts:
              - { name: any z, metric: z_score, condition: ">", threshold: -1000 }
            on_trigger: 'printf "%s|%s|%s|%s" "$PAIRBOOK_REPORT" "$PAIRBOOK_FIRING" "$PAIRBOOK_RUN_DIR" "$PAIRBOOK_SUMMARY" > "\(marker)"'
            ---
            """)
        let result = try ReportJob(scriptPath: script, at: SyntheticMarket.day + .hours(12), outputRoot: out.path,
                                   templatesDirectory: TestPaths.templates).run(store: store, now: SyntheticMarket.day + .hours(12))
        #expect(result.hasFiringAlerts)
        let command = try #require(result.onTrigger)
        // When its on_trigger command runs
        let outcome = await TriggerCommand(command).run(for: result, logger: .init(label: "test"))
        // Then it ran with the run described in its environment
        #expect(outcome == .exited(0))
        let fields = try String(contentsOfFile: marker, encoding: .utf8).split(separator: "|", maxSplits: 3).map(String.init)
        #expect(fields == [result.report.name, "1", result.folder, result.summaryLine])
    }

    @Test("a failing command reports its status")
    func failure() async {
        #expect(await TriggerCommand("exit 3").run(environment: [:]) == .exited(3))
    }

    @Test("a command outliving its time limit is stopped with the processes it started, even when they ignore SIGTERM")
    func timeLimit() async {
        let started = ContinuousClock.now
        let outcome = await TriggerCommand("sleep 60 & trap \"\" TERM; sleep 60", timeLimit: .milliseconds(300)).run(environment: [:])
        #expect(outcome == .timedOut)
        #expect(started.duration(to: .now) < .seconds(30), "long before the command would end")
    }
}
