import Foundation
import Market
import PairbookTestSupport
import PostgresStorage
import Storage
import Testing

/// Report-slot claims on PostgreSQL: the SQLite store's rules, for report workers on several machines.
@Suite("PostgreSQL report slots", .serialized, .enabled(if: PostgresTestServer.isAvailable, "\(PostgresTestServer.skipReason)"))
final class PostgresReportSlotTests {
    let server: PostgresTestServer
    let t0 = Timestamp(milliseconds: 1_764_000_000_000)
    let alice = LeaseHolder(id: "alice", host: "host-a", pid: 101)
    let bob = LeaseHolder(id: "bob", host: "host-b", pid: 202)

    init() throws { server = try PostgresTestServer() }
    deinit { server.stop() }

    @Test("a slot is claimed once; a failed or stale run, or a dead local process's, is taken over")
    func claims() async throws {
        let store = try await PostgresStore.connect(try PostgresURL(try server.createDatabase()), logger: .quiet)
        let slot = "pair-overview 2025-11-24T16:00:00Z"
        func claim(_ worker: LeaseHolder, _ at: Timestamp, _ slot: String = slot) async throws -> Int64? {
            try await store.claimReportSlot(slot, script: "r.md", params: "{}", startedAt: at, worker: worker, staleAfter: .hours(1))
        }
        let id = try #require(try await claim(alice, t0))
        #expect(try await claim(bob, t0 + .seconds(1)) == nil)
        try await store.finishReportRun(id: id, finishedAt: t0 + .seconds(5), status: .failed, outputs: nil, error: "boom")
        #expect(try await claim(bob, t0 + .seconds(6)) == id)  // failed: taken over
        #expect(try await claim(alice, t0 + .minutes(59)) == nil)
        #expect(try await claim(alice, t0 + .minutes(61)) == id)  // stale
        try await store.finishReportRun(id: id, finishedAt: t0 + .minutes(62), status: .ok, outputs: "[]", error: nil)
        #expect(try await claim(bob, t0 + .hours(5)) == nil)  // made: never again
        // A dead process of this host
        let here = LeaseHolder(id: "me", host: ProcessInfo.processInfo.hostName, pid: Int64(ProcessInfo.processInfo.processIdentifier))
        let gone = LeaseHolder(id: "gone", host: here.host, pid: Int64(Int32.max - 7))
        let other = try #require(try await claim(gone, t0, "daily 2025-11-25T00:00:00Z"))
        #expect(try await claim(here, t0 + .seconds(1), "daily 2025-11-25T00:00:00Z") == other)
        // Unclaimed runs (on demand) are independent
        _ = try await store.beginReportRun(script: "r.md", params: "{}", startedAt: t0)
        #expect(try await store.reportRunSlots().count == 3)
        await store.close()
    }

    @Test("two workers on two connections claim the same slots at once: each slot is claimed exactly once")
    func race() async throws {
        let url = try PostgresURL(try server.createDatabase())
        let stores = [try await PostgresStore.connect(url, logger: .quiet), try await PostgresStore.connect(url, logger: .quiet)]
        let slots = (0..<100).map { "report \($0)" }
        let t0 = self.t0
        let claimed = try await withThrowingTaskGroup(of: [String].self) { group in
            for (store, worker) in zip(stores, [alice, bob]) {
                group.addTask {
                    var mine: [String] = []
                    for slot in slots where try await store.claimReportSlot(slot, script: "r", params: "{}", startedAt: t0, worker: worker,
                                                                             staleAfter: .hours(1)) != nil {
                        mine.append(slot)
                    }
                    return mine
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(claimed.flatMap { $0 }.sorted() == slots.sorted())
        #expect(try await stores[0].reportRunSlots().count == 100)
        for store in stores { await store.close() }
    }
}
