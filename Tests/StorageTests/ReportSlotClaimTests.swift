import Foundation
import Market
import PairbookTestSupport
import Storage
import Testing

/// `report_runs.slot`: several report workers on one database make each scheduled slot once.
struct ReportSlotClaimTests {
    let t0 = Timestamp(milliseconds: 1_764_000_000_000)
    let alice = LeaseHolder(id: "alice", host: "host-a", pid: 101)
    let bob = LeaseHolder(id: "bob", host: "host-b", pid: 202)
    let slot = "pair-overview 2025-11-24T16:00:00Z"

    func claim(_ store: Store, _ worker: LeaseHolder, at time: Timestamp) throws -> Int64? {
        try store.claimReportSlot(slot, script: "reports/pair-overview.md", params: "{}", startedAt: time, worker: worker,
                                  staleAfter: .hours(1))
    }

    @Test("the first worker claims a slot; a second one is refused while the run goes on or after it finished")
    func once() throws {
        let store = try Store.inMemory()
        let id = try #require(try claim(store, alice, at: t0))
        #expect(try claim(store, bob, at: t0 + .seconds(1)) == nil)
        try store.finishReportRun(id: id, finishedAt: t0 + .seconds(30), status: .ok, outputs: "[]", error: nil)
        #expect(try claim(store, bob, at: t0 + .hours(2)) == nil)  // finished runs are never made again
        #expect(try store.reportRuns().count == 1)
        // Other slots and unclaimed runs are independent
        #expect(try store.claimReportSlot("pair-overview 2025-11-24T17:00:00Z", script: "x", params: "{}", startedAt: t0,
                                          worker: bob, staleAfter: .hours(1)) != nil)
        _ = try store.beginReportRun(script: "x", params: "{}", startedAt: t0)
        _ = try store.beginReportRun(script: "x", params: "{}", startedAt: t0)
        #expect(try store.reportRuns().count == 4)
    }

    @Test("a failed run's slot, a run older than the stale limit, and a dead local process's claim are taken over")
    func takeover() throws {
        let store = try Store.inMemory()
        // Failed: taken at once
        let failed = try #require(try claim(store, alice, at: t0))
        try store.finishReportRun(id: failed, finishedAt: t0 + .seconds(5), status: .failed, outputs: nil, error: "boom")
        #expect(try claim(store, bob, at: t0 + .seconds(6)) == failed)
        let row = try #require(try store.reportRuns().first)
        #expect(row.status == .running && row.error == nil && row.startedAt == t0 + .seconds(6))

        // Still running after the stale limit: its worker died elsewhere
        #expect(try claim(store, alice, at: t0 + .minutes(59)) == nil)
        #expect(try claim(store, alice, at: t0 + .minutes(61)) == failed)

        // Claimed by a process of this host that is gone: taken at once
        let here = LeaseHolder(id: "me", host: ProcessInfo.processInfo.hostName, pid: Int64(ProcessInfo.processInfo.processIdentifier))
        let gone = LeaseHolder(id: "gone", host: here.host, pid: Int64(Int32.max - 7))  // no such pid
        let other = "daily 2025-11-25T00:00:00Z"
        let id = try #require(try store.claimReportSlot(other, script: "d", params: "{}", startedAt: t0, worker: gone, staleAfter: .hours(1)))
        #expect(try store.claimReportSlot(other, script: "d", params: "{}", startedAt: t0 + .seconds(1), worker: here, staleAfter: .hours(1)) == id)
        // ... but not from a live one (this process, seen by another holder of the same host)
        let twin = LeaseHolder(id: "twin", host: here.host, pid: 1)
        #expect(try store.claimReportSlot(other, script: "d", params: "{}", startedAt: t0 + .seconds(2), worker: twin, staleAfter: .hours(1)) == nil)
    }

    @Test("two workers on one database file claim the same slots at once: each slot is claimed exactly once")
    func concurrentWorkers() async throws {
        let folder = try Fixtures.temporaryDirectory()
        let path = folder.appendingPathComponent("claims.sqlite").path
        let stores = [try Store(path: path, logger: .quiet), try Store(path: path, logger: .quiet)]
        let workers = [alice, bob]
        let slots = (0..<200).map { "report \($0)" }
        let claimed = try await withThrowingTaskGroup(of: [String].self) { group in
            for (store, worker) in zip(stores, workers) {
                group.addTask {
                    try slots.compactMap { slot in
                        try store.claimReportSlot(slot, script: "r", params: "{}", startedAt: self.t0, worker: worker, staleAfter: .hours(1)) == nil ? nil : slot
                    }
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(claimed.flatMap { $0 }.sorted() == slots.sorted())
        #expect(try stores[0].reportRuns(limit: 1000).count == 200)
    }
}
