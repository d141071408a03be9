import Collector
import Market
import Monitoring
import PairbookApp
import PairbookTestSupport
import Synchronization
import Testing

@Suite("HealthMonitor: /healthz from cached state, on an injected clock")
struct HealthMonitorTests {
    /// A wall clock the test moves, and a database probe that counts its calls and fails on demand.
    final class Fixture: Sendable {
        let stats = CollectorStats()
        let time = Mutex(Timestamp(milliseconds: 1_700_000_000_000))
        let probes = Mutex(0)
        let failure = Mutex<String?>(nil)

        func monitor(clock: ManualClock = ManualClock()) -> HealthMonitor<ManualClock> {
            HealthMonitor(stats: stats, maximumAge: .minutes(2),
                          probe: { self.probes.withLock { $0 += 1 }; return self.failure.withLock { $0 } },
                          clock: clock, databaseProbeInterval: .seconds(10), now: { self.time.withLock { $0 } })
        }

        func advance(_ span: TimeSpan) { time.withLock { $0 = $0 + span } }
        func commit(_ n: Int) { stats.update { $0.committedTicks += n; $0.openConnections = 1 } }
    }

    func check(_ report: HealthReport, _ name: String) -> HealthReport.Check? { report.checks.first { $0.name == name } }

    @Test("healthy while trades are committed; the database is probed once at the start, then judged from the commits")
    func flowing() async {
        let f = Fixture()
        let monitor = f.monitor()
        f.commit(10)
        await monitor.refresh()
        f.advance(.seconds(30))
        f.commit(5)
        await monitor.refresh()
        #expect(monitor.report.isHealthy, "\(monitor.report)")
        #expect(check(monitor.report, "database")?.detail == "writable (commits succeed)")
        #expect(f.probes.withLock { $0 } == 1)
    }

    @Test("stale after maximumAge without a new trade; an idle database is probed at most once per interval")
    func stale() async {
        let f = Fixture()
        let monitor = f.monitor()
        f.commit(10)
        await monitor.refresh()
        for _ in 0..<5 {
            f.advance(.seconds(1))
            await monitor.refresh()
        }
        #expect(f.probes.withLock { $0 } == 1, "the start; then 5 s idle: within the probe interval")
        f.advance(.seconds(150))
        await monitor.refresh()
        #expect(f.probes.withLock { $0 } == 2)
        #expect(check(monitor.report, "data")?.ok == false)
        #expect(check(monitor.report, "data")?.detail.contains("last new trade 155s ago (limit 2m)") == true, "\(monitor.report)")
        #expect(check(monitor.report, "collector")?.ok == true)
        #expect(!monitor.report.isHealthy)
    }

    @Test("failed commits or a failing probe make the database check fail; reading the report never probes")
    func databaseFailures() async {
        let f = Fixture()
        let monitor = f.monitor()
        f.commit(1)
        await monitor.refresh()
        f.stats.update { $0.commitFailures += 2 }
        await monitor.refresh()
        #expect(check(monitor.report, "database") == .init(name: "database", ok: false, detail: "2 commit(s) failed since the last check"))
        f.failure.withLock { $0 = "disk I/O error" }
        f.advance(.seconds(11))
        await monitor.refresh()
        #expect(check(monitor.report, "database") == .init(name: "database", ok: false, detail: "disk I/O error"))
        let probes = f.probes.withLock { $0 }
        for _ in 0..<1000 { _ = monitor.report }
        #expect(f.probes.withLock { $0 } == probes)
    }

    @Test("as a service it refreshes on every tick of its clock")
    func service() async throws {
        let f = Fixture()
        let clock = ManualClock()
        let monitor = f.monitor(clock: clock)
        #expect(!monitor.report.isHealthy, "starting")
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await monitor.run() }
            try await Self.waitForSleeper(clock)
            f.commit(3)
            clock.advance(by: .seconds(1))
            try await Self.waitForSleeper(clock)
            #expect(monitor.report.isHealthy, "\(monitor.report)")
            group.cancelAll()
        }
    }

    static func waitForSleeper(_ clock: ManualClock) async throws {
        for _ in 0..<2000 where clock.sleeperCount == 0 { try await Task.sleep(for: .milliseconds(1)) }
        try #require(clock.sleeperCount > 0)
    }
}
