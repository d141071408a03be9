import Foundation
import Market
import ReportEngine
import Testing

@Suite("Retention: old run folders of a scheduled report are removed")
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
}
