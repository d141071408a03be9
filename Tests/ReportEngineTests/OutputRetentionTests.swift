import Foundation
import Market
import ReportEngine
import Synchronization
import Testing
import PairbookTestSupport

@Suite("Output folders: on-demand and scheduled runs apart, latest/ replaced atomically, old scheduled runs removed")
struct OutputRetentionTests {
    @Test("run folders before the cutoff go; latest/, this run, newer runs and foreign folders stay")
    func removesOnlyOldRuns() throws {
        // Given a report folder with hourly runs over three days, latest/, a staging folder and a user's folder
        let root = try TestPaths.temporaryFolder()
        let now = try Timestamp(parsing: "2024-07-19T12:00:00Z")
        let layout = try OutputLayout(root: root.path, reportName: "pair-overview", runTime: now)
        let folder = root.appendingPathComponent("pair-overview")
        let fm = FileManager.default
        var runs: [Timestamp] = []
        for hour in 0...72 {
            let time = now - .hours(Int64(hour))
            runs.append(time)
            let run = folder.appendingPathComponent(time.compactUTC)
            try fm.createDirectory(at: run, withIntermediateDirectories: true)
            try Data("x".utf8).write(to: run.appendingPathComponent("report.html"))
        }
        for other in ["latest", ".latest-20240101T000000Z", "notes", "20240101T000000", "20241399T000000Z"] {
            try fm.createDirectory(at: folder.appendingPathComponent(other), withIntermediateDirectories: true)
        }
        // When runs older than 24 h are removed
        let pruning = layout.removeRuns(before: now - .hours(24))
        // Then exactly the 48 runs before the cutoff are gone, with their files
        #expect(pruning.failures.isEmpty)
        #expect(pruning.removed.count == 48)
        let left = Set(try fm.contentsOfDirectory(atPath: folder.path))
        let kept = runs.filter { $0 >= now - .hours(24) }.map(\.compactUTC)
        #expect(left == Set(kept + ["latest", ".latest-20240101T000000Z", "notes", "20240101T000000", "20241399T000000Z"]))
        // And removing again changes nothing
        #expect(layout.removeRuns(before: now - .hours(24)).removed.isEmpty)
    }

    @Test("the current run's folder stays even when the cutoff is after it")
    func keepsCurrentRun() throws {
        let root = try TestPaths.temporaryFolder()
        let now = try Timestamp(parsing: "2024-07-19T12:00:00Z")
        let layout = try OutputLayout(root: root.path, reportName: "r", runTime: now)
        _ = try layout.write([(name: "report.html", data: Data("x".utf8))])
        #expect(layout.removeRuns(before: now + .hours(1)).removed.isEmpty)
        #expect(FileManager.default.fileExists(atPath: layout.runFolder.appendingPathComponent("report.html").path))
    }

    @Test("a report that never ran has nothing to remove")
    func missingFolder() throws {
        let layout = try OutputLayout(root: try TestPaths.temporaryFolder().path, reportName: "never", runTime: Timestamp(milliseconds: 0))
        let pruning = layout.removeRuns(before: Timestamp(milliseconds: 1))
        #expect(pruning.removed.isEmpty && pruning.failures.isEmpty)
    }

    @Test("on-demand runs live apart from the scheduler's: an old --at run survives its pruning, other params never touch its files")
    func onDemandApartFromScheduled() throws {
        // Given a day of bars, a scheduled run, an on-demand run for an old time and one with other params
        let store = try SyntheticMarket.store()
        let root = try TestPaths.temporaryFolder()
        let script = TestPaths.report("pair-overview.md")
        let slot = SyntheticMarket.day + .hours(24)
        func run(_ at: Timestamp, scheduled: Bool, _ assignments: [String] = []) throws -> ReportJob.Result {
            try ReportJob(scriptPath: script, assignments: assignments, at: at, outputRoot: root.path, formats: [.html],
                          templatesDirectory: TestPaths.templates, scheduled: scheduled).run(store: store, now: slot, logger: .quiet)
        }
        let scheduled = try run(slot, scheduled: true)
        let old = try run(SyntheticMarket.day + .hours(2), scheduled: false)
        let other = try run(slot, scheduled: false, ["window=30"])
        // Then each has its own folder and latest/
        #expect(scheduled.folder.hasSuffix("pair-overview/scheduled/\(slot.compactUTC)"))
        #expect(scheduled.latestFolder.hasSuffix("pair-overview/scheduled/latest"))
        #expect(old.folder.hasSuffix("pair-overview/\((SyntheticMarket.day + .hours(2)).compactUTC)"))
        #expect(other.folder.hasSuffix("pair-overview/\(slot.compactUTC)"), "\(other.folder)")
        #expect(other.latestFolder.hasSuffix("pair-overview/latest"))
        let scheduledHTML = try Data(contentsOf: URL(fileURLWithPath: scheduled.latestFolder + "/report.html"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: scheduled.folder + "/report.html")) == scheduledHTML,
                "the on-demand runs left the scheduled run and its latest/ alone")
        // And the scheduler's pruning removes nothing made on demand
        let pruning = scheduled.layout.removeRuns(before: slot + .hours(1))
        #expect(pruning.removed.isEmpty)
        #expect(FileManager.default.fileExists(atPath: old.folder + "/report.html"))
        #expect(FileManager.default.fileExists(atPath: other.folder + "/report.html"))
    }

    @Test("latest/ is replaced atomically: a reader never finds it missing or empty")
    func latestIsAtomic() throws {
        let root = try TestPaths.temporaryFolder()
        let start = try Timestamp(parsing: "2024-07-19T00:00:00Z")
        let first = try OutputLayout(root: root.path, reportName: "r", runTime: start, kind: .scheduled)
        _ = try first.write([(name: "report.html", data: Data("0".utf8))])
        let latest = first.latestFolder.appendingPathComponent("report.html").path
        let done = Mutex(false)
        let misses = Mutex(0)
        let reader = Thread {
            while !done.withLock({ $0 }) {
                if FileManager.default.contents(atPath: latest)?.isEmpty ?? true { misses.withLock { $0 += 1 } }
            }
        }
        reader.start()
        for i in 1...300 {
            let layout = try OutputLayout(root: root.path, reportName: "r", runTime: start + .minutes(Int64(i)), kind: .scheduled)
            _ = try layout.write([(name: "report.html", data: Data("\(i)".utf8))])
        }
        done.withLock { $0 = true }
        while reader.isExecuting { usleep(1000) }
        #expect(misses.withLock { $0 } == 0)
        #expect(FileManager.default.contents(atPath: latest) == Data("300".utf8))
        #expect(!(try FileManager.default.contentsOfDirectory(atPath: first.kindFolder.path)).contains { $0.hasPrefix(".latest") })
    }
}
