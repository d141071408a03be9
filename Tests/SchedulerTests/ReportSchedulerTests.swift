import Logging
import Market
import PairbookTestSupport
import ServiceLifecycle
import Synchronization
import Testing

@testable import Scheduler

/// Drives a ``ReportScheduler`` on a ``ManualClock`` inside a real `ServiceGroup`; no test sleeps.
final class SchedulerHarness: Sendable {
    let clock = ManualClock()
    let base: Timestamp
    let runs: AsyncStream<ScheduledRun>
    private let runsContinuation: AsyncStream<ScheduledRun>.Continuation
    private let recorded = Mutex<[ScheduledRun]>([])

    init(startingAt base: Timestamp) {
        self.base = base
        (runs, runsContinuation) = AsyncStream.makeStream(of: ScheduledRun.self)
    }

    /// A step of the wall clock relative to the manual clock (NTP corrections in tests).
    let skew = Mutex<TimeSpan>(.seconds(0))

    /// The wall clock: `base` plus however far the manual clock has been advanced, plus any skew.
    var now: Timestamp {
        base + TimeSpan(milliseconds: Int64(clock.now.offset / .milliseconds(1))) + skew.withLock { $0 }
    }

    var allRuns: [ScheduledRun] { recorded.withLock { $0 } }

    func makeScheduler(
        jobs: [ScheduledJob], configuration: ReportScheduler<ManualClock>.Configuration = .init(maximumSleep: .seconds(86_400)),
        lastRun: @escaping @Sendable (String) async throws -> Timestamp? = { _ in nil }
    ) -> ReportScheduler<ManualClock> {
        ReportScheduler(
            jobs: jobs, configuration: configuration, clock: clock, now: { [self] in self.now }, lastRun: lastRun,
            onRun: { [self] run in
                self.recorded.withLock { $0.append(run) }
                self.runsContinuation.yield(run)
            },
            logger: Logger(label: "test.scheduler", factory: { _ in SwiftLogNoOpLogHandler() }))
    }

    /// Moves the wall clock to `time` (which must not be in the past), waking sleepers that are due.
    func advance(to time: Timestamp) {
        clock.advance(by: .milliseconds((time - now).milliseconds))
    }

    /// Waits (by yielding, not sleeping) until `count` tasks sleep on the clock.
    func waitForSleepers(_ count: Int, sourceLocation: Testing.SourceLocation = #_sourceLocation) async {
        for _ in 0..<2_000_000 {
            if clock.sleeperCount == count { return }
            await Task.yield()
        }
        Issue.record("expected \(count) sleepers, found \(clock.sleeperCount)", sourceLocation: sourceLocation)
    }

    /// The next `count` reported runs.
    func nextRuns(_ count: Int) async -> [ScheduledRun] {
        var result: [ScheduledRun] = []
        var iterator = runs.makeAsyncIterator()
        while result.count < count, let run = await iterator.next() { result.append(run) }
        return result
    }
}

/// A one-shot latch an action can wait on while the test moves the clock.
final class Gate: Sendable {
    private let stream: AsyncStream<Void>
    private let continuation: AsyncStream<Void>.Continuation
    private let entered = Mutex(false)

    init() { (stream, continuation) = AsyncStream.makeStream(of: Void.self) }

    var isEntered: Bool { entered.withLock { $0 } }

    func wait() async {
        entered.withLock { $0 = true }
        for await _ in stream { return }
    }

    func open() { continuation.finish() }

    func waitUntilEntered() async {
        for _ in 0..<2_000_000 where !isEntered { await Task.yield() }
        #expect(isEntered)
    }
}

/// Slot values recorded by actions.
final class SlotLog: Sendable {
    private let slots = Mutex<[Timestamp]>([])
    func append(_ slot: Timestamp) { slots.withLock { $0.append(slot) } }
    var values: [Timestamp] { slots.withLock { $0 } }
}

struct TestFailure: Error, Equatable {}

private func ts(_ text: String) -> Timestamp {
    do { return try Timestamp(parsing: text) } catch { preconditionFailure("bad test timestamp \(text)") }
}

private func cron(_ text: String) -> CronExpression {
    do { return try CronExpression(parsing: text) } catch { preconditionFailure("bad test cron \(text)") }
}

/// Runs `body` while `scheduler` runs in a `ServiceGroup`, then shuts the group down gracefully and waits for it.
private func withRunningGroup(
    _ scheduler: ReportScheduler<ManualClock>, _ body: (ServiceGroup) async throws -> Void
) async throws {
    let group = ServiceGroup(
        configuration: .init(
            services: [scheduler], logger: Logger(label: "test.group", factory: { _ in SwiftLogNoOpLogHandler() })))
    try await withThrowingTaskGroup(of: Void.self) { tasks in
        tasks.addTask { try await group.run() }
        try await body(group)
        await group.triggerGracefulShutdown()
        try await tasks.waitForAll()
    }
}

struct ReportSchedulerTests {
    @Test("fires exactly once per slot, at the slot, and nothing in between")
    func firesExpectedSlots() async throws {
        // Given a per-minute job, started 30 s into a minute
        let harness = SchedulerHarness(startingAt: ts("2024-02-29T23:58:30Z"))
        let log = SlotLog()
        let scheduler = harness.makeScheduler(jobs: [
            ScheduledJob(name: "minutely", schedule: cron("* * * * *")) { slot in log.append(slot) }
        ])
        try await withRunningGroup(scheduler) { _ in
            // When the clock reaches each slot
            await harness.waitForSleepers(1)
            harness.advance(to: ts("2024-02-29T23:59:00Z"))
            _ = await harness.nextRuns(1)
            await harness.waitForSleepers(1)
            harness.advance(to: ts("2024-02-29T23:59:59.999Z"))  // one millisecond short: nothing fires
            await harness.waitForSleepers(1)
            #expect(log.values.count == 1)
            harness.advance(to: ts("2024-03-01T00:00:00Z"))
            _ = await harness.nextRuns(1)
            await harness.waitForSleepers(1)
            harness.advance(to: ts("2024-03-01T00:01:00Z"))
            _ = await harness.nextRuns(1)
            await harness.waitForSleepers(1)
        }
        // Then every slot ran once, with its own slot value
        #expect(log.values == [ts("2024-02-29T23:59:00Z"), ts("2024-03-01T00:00:00Z"), ts("2024-03-01T00:01:00Z")])
        #expect(harness.allRuns.allSatisfy { if case .succeeded = $0.outcome { true } else { false } })
    }

    @Test("a wall clock stepping back after a run does not repeat the slot")
    func clockStepsBack() async throws {
        let harness = SchedulerHarness(startingAt: ts("2024-01-01T00:00:30Z"))
        let log = SlotLog()
        let scheduler = harness.makeScheduler(jobs: [
            ScheduledJob(name: "minutely", schedule: cron("* * * * *")) { slot in log.append(slot) }
        ])
        try await withRunningGroup(scheduler) { _ in
            await harness.waitForSleepers(1)
            harness.advance(to: ts("2024-01-01T00:01:00Z"))
            _ = await harness.nextRuns(1)
            await harness.waitForSleepers(1)
            // NTP steps the wall clock back 45 s, to before the slot that just ran
            harness.skew.withLock { $0 = .seconds(-45) }
            harness.clock.advance(by: .seconds(60))  // wall clock 00:01:15
            await harness.waitForSleepers(1)
            #expect(log.values.count == 1)
            harness.advance(to: ts("2024-01-01T00:02:00Z"))
            _ = await harness.nextRuns(1)
            await harness.waitForSleepers(1)
        }
        #expect(log.values == [ts("2024-01-01T00:01:00Z"), ts("2024-01-01T00:02:00Z")])
    }

    @Test("a run that overruns later slots skips them and does not overlap itself")
    func overrunSkips() async throws {
        let harness = SchedulerHarness(startingAt: ts("2024-01-01T00:00:30Z"))
        let log = SlotLog()
        let gate = Gate()
        let concurrent = Mutex((now: 0, max: 0))
        let scheduler = harness.makeScheduler(jobs: [
            ScheduledJob(name: "slow", schedule: cron("* * * * *")) { slot in
                concurrent.withLock { $0.now += 1; $0.max = max($0.max, $0.now) }
                log.append(slot)
                if slot == ts("2024-01-01T00:01:00Z") { await gate.wait() }
                concurrent.withLock { $0.now -= 1 }
            }
        ])
        try await withRunningGroup(scheduler) { _ in
            await harness.waitForSleepers(1)
            harness.advance(to: ts("2024-01-01T00:01:00Z"))
            // While the first run is blocked, the clock passes the 00:02 and 00:03 slots
            await gate.waitUntilEntered()
            harness.advance(to: ts("2024-01-01T00:03:30Z"))
            gate.open()
            let first = await harness.nextRuns(1)
            #expect(first.first?.overranSlots == 2)
            #expect(first.first?.duration == .seconds(150))
            await harness.waitForSleepers(1)
            harness.advance(to: ts("2024-01-01T00:04:00Z"))
            _ = await harness.nextRuns(1)
            await harness.waitForSleepers(1)
        }
        #expect(log.values == [ts("2024-01-01T00:01:00Z"), ts("2024-01-01T00:04:00Z")])
        #expect(concurrent.withLock { $0.max } == 1)
    }

    @Test("with .coalesce, overrun slots become one immediate run for the latest of them")
    func overrunCoalesces() async throws {
        let harness = SchedulerHarness(startingAt: ts("2024-01-01T00:00:30Z"))
        let log = SlotLog()
        let gate = Gate()
        let scheduler = harness.makeScheduler(
            jobs: [
                ScheduledJob(name: "slow", schedule: cron("* * * * *")) { slot in
                    log.append(slot)
                    if slot == ts("2024-01-01T00:01:00Z") { await gate.wait() }
                }
            ],
            configuration: .init(overruns: .coalesce, maximumSleep: .seconds(86_400)))
        try await withRunningGroup(scheduler) { _ in
            await harness.waitForSleepers(1)
            harness.advance(to: ts("2024-01-01T00:01:00Z"))
            await gate.waitUntilEntered()
            harness.advance(to: ts("2024-01-01T00:03:30Z"))
            gate.open()
            let runs = await harness.nextRuns(2)
            #expect(runs.map(\.slot) == [ts("2024-01-01T00:01:00Z"), ts("2024-01-01T00:03:00Z")])
            await harness.waitForSleepers(1)
            harness.advance(to: ts("2024-01-01T00:04:00Z"))
            _ = await harness.nextRuns(1)
            await harness.waitForSleepers(1)
        }
        #expect(log.values == [ts("2024-01-01T00:01:00Z"), ts("2024-01-01T00:03:00Z"), ts("2024-01-01T00:04:00Z")])
    }

    @Test("a failing job is reported and neither stops itself nor the other jobs")
    func failureIsolated() async throws {
        let harness = SchedulerHarness(startingAt: ts("2024-01-01T00:00:00Z"))
        let good = SlotLog()
        let scheduler = harness.makeScheduler(jobs: [
            ScheduledJob(name: "broken", schedule: cron("* * * * *")) { _ in throw TestFailure() },
            ScheduledJob(name: "fine", schedule: cron("*/2 * * * *")) { slot in good.append(slot) },
        ])
        try await withRunningGroup(scheduler) { _ in
            for minute in 1...4 {
                await harness.waitForSleepers(2)
                harness.advance(to: ts("2024-01-01T00:0\(minute):00Z"))
                _ = await harness.nextRuns(minute.isMultiple(of: 2) ? 2 : 1)
            }
            await harness.waitForSleepers(2)
        }
        let failures = harness.allRuns.filter { $0.job == "broken" }
        #expect(failures.count == 4)
        #expect(failures.allSatisfy { if case .failed(let error) = $0.outcome { error is TestFailure } else { false } })
        #expect(good.values == [ts("2024-01-01T00:02:00Z"), ts("2024-01-01T00:04:00Z")])
    }

    @Test(
        "after downtime the most recent missed slot runs once at start",
        arguments: [
            // (last run, policy, expected catch-up slot)
            ("2024-01-01T09:05:00Z", true, "2024-01-01T12:05:00Z"),  // three slots missed → only the latest
            ("2024-01-01T12:05:00.250Z", true, nil),  // the 12:05 run already started
            ("2024-01-01T09:05:00Z", false, nil),  // policy .skip
            (nil, true, nil),  // never ran: nothing was missed
        ] as [(String?, Bool, String?)])
    func catchUp(lastRun: String?, runMostRecent: Bool, expected: String?) async throws {
        let harness = SchedulerHarness(startingAt: ts("2024-01-01T12:30:00Z"))
        let log = SlotLog()
        let last = lastRun.map(ts)
        let scheduler = harness.makeScheduler(
            jobs: [ScheduledJob(name: "hourly", schedule: cron("5 * * * *")) { slot in log.append(slot) }],
            configuration: .init(missedRuns: runMostRecent ? .runMostRecent : .skip, maximumSleep: .seconds(86_400)),
            lastRun: { name in name == "hourly" ? last : nil })
        try await withRunningGroup(scheduler) { _ in
            if expected != nil {
                let runs = await harness.nextRuns(1)
                #expect(runs.first?.isCatchUp == true)
            }
            await harness.waitForSleepers(1)
            harness.advance(to: ts("2024-01-01T13:05:00Z"))
            _ = await harness.nextRuns(1)
            await harness.waitForSleepers(1)
        }
        #expect(log.values == (expected.map { [ts($0)] } ?? []) + [ts("2024-01-01T13:05:00Z")])
    }

    @Test("graceful shutdown stops scheduling and lets a running job finish")
    func shutdownFinishesRunningJob() async throws {
        let harness = SchedulerHarness(startingAt: ts("2024-01-01T00:00:00Z"))
        let gate = Gate()
        let finished = Mutex(false)
        let scheduler = harness.makeScheduler(jobs: [
            ScheduledJob(name: "report", schedule: cron("* * * * *")) { _ in
                await gate.wait()
                try Task.checkCancellation()
                finished.withLock { $0 = true }
            }
        ])
        let group = ServiceGroup(
            configuration: .init(
                services: [scheduler], logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            await harness.waitForSleepers(1)
            harness.advance(to: ts("2024-01-01T00:01:00Z"))
            await gate.waitUntilEntered()
            // SIGTERM arrives while the report runs
            await group.triggerGracefulShutdown()
            harness.advance(to: ts("2024-01-01T00:05:00Z"))
            gate.open()
            try await tasks.waitForAll()
        }
        #expect(finished.withLock { $0 })
        #expect(harness.allRuns.map(\.slot) == [ts("2024-01-01T00:01:00Z")])
        #expect(harness.allRuns.allSatisfy { if case .succeeded = $0.outcome { true } else { false } })
    }

    @Test("with .cancelRunningJobs graceful shutdown cancels the running job, reported as cancelled")
    func shutdownCancelsRunningJob() async throws {
        let harness = SchedulerHarness(startingAt: ts("2024-01-01T00:00:00Z"))
        let gate = Gate()
        let clock = harness.clock
        let scheduler = harness.makeScheduler(
            jobs: [
                ScheduledJob(name: "report", schedule: cron("* * * * *")) { _ in
                    gate.open()
                    try await clock.sleep(until: clock.now.advanced(by: .seconds(3600)), tolerance: nil)
                }
            ],
            configuration: .init(shutdown: .cancelRunningJobs, maximumSleep: .seconds(86_400)))
        let group = ServiceGroup(
            configuration: .init(
                services: [scheduler], logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            await harness.waitForSleepers(1)
            harness.advance(to: ts("2024-01-01T00:01:00Z"))
            await gate.wait()
            await harness.waitForSleepers(1)  // the job itself now sleeps
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        #expect(harness.allRuns.count == 1)
        #expect(harness.allRuns.allSatisfy { if case .cancelled = $0.outcome { true } else { false } })
        #expect(harness.clock.sleeperCount == 0)
    }

    @Test("a scheduler with no jobs idles until shutdown instead of ending the group")
    func noJobs() async throws {
        let harness = SchedulerHarness(startingAt: ts("2024-01-01T00:00:00Z"))
        try await withRunningGroup(harness.makeScheduler(jobs: [])) { _ in
            await Task.yield()
        }
        #expect(harness.allRuns.isEmpty)
    }
}
