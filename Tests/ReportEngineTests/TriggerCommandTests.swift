import Foundation
import Logging
import Market
import ReportEngine
import Storage
import Testing
import PairbookTestSupport

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
                                   templatesDirectory: TestPaths.templates).run(store: store, now: SyntheticMarket.day + .hours(12), logger: .quiet)
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

    @Test("a command outliving its time limit is stopped with its whole process group, even a child that ignores SIGTERM after the shell died on it")
    func timeLimit() async throws {
        // Given a shell that dies on SIGTERM, with a child that ignores it
        let out = try TestPaths.temporaryFolder()
        let groupFile = out.appendingPathComponent("group").path
        let command = "echo $$ > '\(groupFile)'; (trap '' TERM; exec sleep 600) & wait"
        let started = ContinuousClock.now
        // When the time limit passes
        // (3 s: long enough for the shell to have written its group id even on a loaded machine.)
        let outcome = await TriggerCommand(command, timeLimit: .seconds(3), grace: .milliseconds(300)).run(environment: [:])
        // Then the run is reported stopped, long before the child would end, and nothing of its group is left
        #expect(outcome == .timedOut)
        #expect(started.duration(to: .now) < .seconds(300))
        let group = try #require(Int32(try String(contentsOfFile: groupFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
        var left = Self.liveMembers(ofGroup: group)
        let patience = ContinuousClock.now + .seconds(60)
        while !left.isEmpty, ContinuousClock.now < patience {  // SIGKILL is delivered asynchronously
            try await Task.sleep(for: .milliseconds(20))
            left = Self.liveMembers(ofGroup: group)
        }
        #expect(left.isEmpty, "processes of group \(group) still running: \(left)")
    }

    @Test("the command does not see pairbook's secrets, only the rest of its environment")
    func secretsAreNotPassedOn() async throws {
        let out = try TestPaths.temporaryFolder()
        let dump = out.appendingPathComponent("env").path
        setenv("PAIRBOOK_TRIGGER_TEST_TOKEN", "hunter2", 1)
        setenv("PAIRBOOK_TRIGGER_TEST_PLAIN", "visible", 1)
        let outcome = await TriggerCommand("env > '\(dump)'").run(environment: ["PAIRBOOK_REPORT": "r"])
        #expect(outcome == .exited(0))
        let seen = try String(contentsOfFile: dump, encoding: .utf8)
        #expect(!seen.contains("hunter2"))
        #expect(seen.contains("PAIRBOOK_TRIGGER_TEST_PLAIN=visible"))
        #expect(seen.contains("PAIRBOOK_REPORT=r"))
        let kept = TriggerCommand.childEnvironment([
            "PAIRBOOK_SMTP_PASSWORD": "x", "BINANCE_API_KEY": "x", "BINANCE_API_SECRET": "x", "PAIRBOOK_TOKEN": "x",
            "PGPASSWORD": "x", "PATH": "/bin", "HOME": "/root",
        ])
        #expect(kept == ["PATH": "/bin", "HOME": "/root"])
    }

    /// Processes of process group `group` that have not ended (zombies, which an init that never reaps can leave
    /// behind, are dead and not counted), from /proc/<pid>/stat: "pid (comm) state ppid pgrp …".
    private static func liveMembers(ofGroup group: Int32) -> [Int32] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { entry -> Int32? in
            guard let pid = Int32(entry),
                  let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { return nil }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            guard fields.count > 2, fields[0] != "Z", Int32(fields[2]) == group else { return nil }
            return pid
        }
    }
}
