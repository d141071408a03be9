import Foundation
import Market
import PairbookTestSupport
import ReportEngine
import Storage
import Testing

@Suite("Scheduled runs by several workers on one database")
struct ReportSlotClaimJobTests {
    @Test("two workers run the same scheduled slot: one makes the report, the other is told the slot is taken")
    func oneWorkerPerSlot() throws {
        // Given a day of bars and two workers scheduling the same report slot
        let store = try SyntheticMarket.store()
        let root = try TestPaths.temporaryFolder()
        let slot = SyntheticMarket.day + .hours(24)
        func job(_ worker: String) -> ReportJob {
            var job = ReportJob(scriptPath: TestPaths.report("pair-overview.md"), at: slot, outputRoot: root.path, formats: [.html],
                                templatesDirectory: TestPaths.templates, scheduled: true)
            job.worker = LeaseHolder(id: worker, host: "host-\(worker)", pid: 1)
            return job
        }

        // When the first makes it and the second comes later
        let made = try job("a").run(store: store, now: slot, logger: .quiet)
        let taken = try #require(throws: ReportJob.SlotTaken.self) { try job("b").run(store: store, now: slot + .seconds(5), logger: .quiet) }

        // Then one run row exists for the slot, finished, and the second worker wrote nothing
        #expect(taken.slot == "pair-overview \(slot.iso8601(.seconds))")
        #expect(taken.description.contains("made by another worker"))
        let runs = try store.reportRuns()
        #expect(runs.map(\.id) == [made.runID])
        #expect(runs.first?.status.isComplete == true)
        let folders = try FileManager.default.contentsOfDirectory(atPath: root.path + "/pair-overview/scheduled")
        #expect(folders.sorted() == [slot.compactUTC, "latest"].sorted())

        // And an on-demand run of the same time is not a claim
        #expect(throws: Never.self) {
            try ReportJob(scriptPath: TestPaths.report("pair-overview.md"), at: slot, outputRoot: root.path, formats: [.html],
                          templatesDirectory: TestPaths.templates).run(store: store, now: slot, logger: .quiet)
        }
    }
}
