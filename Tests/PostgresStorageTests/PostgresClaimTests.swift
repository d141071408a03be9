import Foundation
import Market
import PairbookTestSupport
import PostgresStorage
import Storage
import Testing

/// `collector_leases` and report-slot claims on PostgreSQL: the SQLite store's rules, for collectors and report workers
/// on several machines.
@Suite("PostgreSQL collector leases and report slots", .serialized, .enabled(if: PostgresTestServer.isAvailable, "\(PostgresTestServer.skipReason)"))
final class PostgresClaimTests {
    let server: PostgresTestServer
    let t0 = Timestamp(milliseconds: 1_764_000_000_000)
    let alice = LeaseHolder(id: "alice", host: "host-a", pid: 101)
    let bob = LeaseHolder(id: "bob", host: "host-b", pid: 202)

    init() throws { server = try PostgresTestServer() }
    deinit { server.stop() }

    @Test("a held symbol is refused with the SQLite store's message; nothing of the batch is taken; sharing records alongside")
    func conflictAndShare() async throws {
        let store = try await PostgresStore.connect(try PostgresURL(try server.createDatabase()), logger: .quiet)
        #expect(try await store.acquireLeases(on: ["BTCUSDT"], for: alice, at: t0, ttl: .seconds(30)) == ["BTCUSDT"])
        await #expect {
            try await store.acquireLeases(on: ["ETHUSDT", "BTCUSDT"], for: bob, at: t0 + .seconds(5), ttl: .seconds(30))
        } throws: { error in
            (error as? LeaseConflict)?.description == "BTCUSDT is being collected by another pairbook (pid 101 on host-a, lease renewed 5 s ago, "
                + "expires in 25 s unless renewed); stop that collector, or pass --share-symbols to record alongside it"
        }
        #expect(try await store.collectorLeases().map(\.symbol) == ["BTCUSDT"])  // ETHUSDT was not taken either
        #expect(try await store.acquireLeases(on: ["BTCUSDT", "ETHUSDT"], for: bob, at: t0, ttl: .seconds(30), share: true) == ["ETHUSDT"])
        #expect(try await store.collectorLeases().map(\.holder) == ["alice", "bob"])
        await store.close()
    }

    @Test("renewals keep a lease; an expired one, an abandoned one and a released one are taken over")
    func expiryAbandonRelease() async throws {
        let store = try await PostgresStore.connect(try PostgresURL(try server.createDatabase()), logger: .quiet)
        try await store.acquireLeases(on: ["BTCUSDT", "ETHUSDT"], for: alice, at: t0, ttl: .seconds(30))
        #expect(try await store.renewLeases(of: alice, at: t0 + .seconds(20), ttl: .seconds(30)) == ["BTCUSDT", "ETHUSDT"])
        let (bob, t0) = (self.bob, self.t0)
        await #expect(throws: LeaseConflict.self) { try await store.acquireLeases(on: ["BTCUSDT"], for: bob, at: t0 + .seconds(45), ttl: .seconds(30)) }
        #expect(try await store.acquireLeases(on: ["BTCUSDT"], for: bob, at: t0 + TimeSpan(milliseconds: 50_001), ttl: .seconds(30)) == ["BTCUSDT"])
        #expect(try await store.renewLeases(of: alice, at: t0 + .seconds(51), ttl: .seconds(30)) == ["ETHUSDT"])
        let lease = try #require(try await store.collectorLeases().first { $0.symbol == "BTCUSDT" })
        #expect(lease.holder == "bob" && lease.pid == 202 && lease.host == "host-b" && lease.acquiredAt == t0 + TimeSpan(milliseconds: 50_001))
        // Alice's process is gone: Bob takes ETHUSDT at once; then he stops and releases everything
        #expect(try await store.acquireLeases(on: ["ETHUSDT"], for: bob, at: t0 + .seconds(52), ttl: .seconds(30)) { $0.pid == 101 } == ["ETHUSDT"])
        try await store.releaseLeases(of: bob)
        #expect(try await store.collectorLeases().isEmpty)
        await store.close()
    }

    @Test("two collectors on two connections race for the same symbols: each symbol goes to exactly one")
    func leaseRace() async throws {
        let url = try PostgresURL(try server.createDatabase())
        let stores = [try await PostgresStore.connect(url, logger: .quiet), try await PostgresStore.connect(url, logger: .quiet)]
        let symbols = (0..<40).map { Symbol(stringLiteral: "S\($0)USDT") }
        let t0 = self.t0
        let won = try await withThrowingTaskGroup(of: [Symbol].self) { group in
            for (store, holder) in zip(stores, [alice, bob]) {
                group.addTask {
                    var mine: [Symbol] = []
                    for symbol in symbols {
                        do { mine += try await store.acquireLeases(on: [symbol], for: holder, at: t0, ttl: .seconds(30)) } catch is LeaseConflict {}
                    }
                    return mine
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(won.flatMap { $0 }.sorted() == symbols.sorted())
        #expect(try await stores[0].collectorLeases().count == 40)
        for store in stores { await store.close() }
    }

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
    func slotRace() async throws {
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
