import Foundation
import Market
import PairbookTestSupport
import Storage
import Testing

/// `collector_leases`: one live collector per symbol per database.
struct LeaseTests {
    let t0 = Timestamp(milliseconds: 1_764_000_000_000)
    let alice = LeaseHolder(id: "alice", host: "host-a", pid: 101)
    let bob = LeaseHolder(id: "bob", host: "host-b", pid: 202)

    @Test("a held symbol is refused with a message naming the holder; nothing of the batch is taken")
    func conflict() throws {
        let store = try Store.inMemory()
        #expect(try store.acquireLeases(on: ["BTCUSDT"], for: alice, at: t0, ttl: .seconds(30)) == ["BTCUSDT"])
        let error = try #require(throws: LeaseConflict.self) {
            try store.acquireLeases(on: ["ETHUSDT", "BTCUSDT"], for: bob, at: t0 + .seconds(5), ttl: .seconds(30))
        }
        #expect(error.description == "BTCUSDT is being collected by another pairbook (pid 101 on host-a, lease renewed 5 s ago, "
            + "expires in 25 s unless renewed); stop that collector, or pass --share-symbols to record alongside it")
        #expect(try store.collectorLeases().map(\.symbol) == ["BTCUSDT"])  // ETHUSDT was not taken either
    }

    @Test("sharing records alongside: the other holder keeps its lease")
    func share() throws {
        let store = try Store.inMemory()
        try store.acquireLeases(on: ["BTCUSDT"], for: alice, at: t0, ttl: .seconds(30))
        #expect(try store.acquireLeases(on: ["BTCUSDT", "ETHUSDT"], for: bob, at: t0, ttl: .seconds(30), share: true) == ["ETHUSDT"])
        #expect(try store.collectorLeases().map(\.holder) == ["alice", "bob"])
    }

    @Test("renewals keep a lease; one that is not renewed expires and another collector takes over")
    func expiry() throws {
        let store = try Store.inMemory()
        try store.acquireLeases(on: ["BTCUSDT", "ETHUSDT"], for: alice, at: t0, ttl: .seconds(30))
        #expect(try store.renewLeases(of: alice, at: t0 + .seconds(20), ttl: .seconds(30)) == ["BTCUSDT", "ETHUSDT"])
        #expect(throws: LeaseConflict.self) { try store.acquireLeases(on: ["BTCUSDT"], for: bob, at: t0 + .seconds(45), ttl: .seconds(30)) }
        // Alice stops renewing: at 50 s + 1 ms her lease (renewed at 20 s for 30 s) is gone.
        #expect(try store.acquireLeases(on: ["BTCUSDT"], for: bob, at: t0 + TimeSpan(milliseconds: 50_001), ttl: .seconds(30)) == ["BTCUSDT"])
        #expect(try store.renewLeases(of: alice, at: t0 + .seconds(51), ttl: .seconds(30)) == ["ETHUSDT"])
        let lease = try #require(try store.collectorLeases().first { $0.symbol == "BTCUSDT" })
        #expect(lease.holder == "bob" && lease.pid == 202 && lease.host == "host-b" && lease.acquiredAt == t0 + TimeSpan(milliseconds: 50_001))
    }

    @Test("an abandoned lease (its process is gone) is taken at once; a released one too")
    func abandonedAndReleased() throws {
        let store = try Store.inMemory()
        try store.acquireLeases(on: ["BTCUSDT"], for: alice, at: t0, ttl: .seconds(30))
        try store.acquireLeases(on: ["BTCUSDT"], for: bob, at: t0 + .seconds(1), ttl: .seconds(30)) { $0.pid == 101 }
        #expect(try store.collectorLeases().map(\.holder) == ["bob"])
        try store.releaseLeases(of: bob)
        #expect(try store.collectorLeases().isEmpty)
        #expect(try store.acquireLeases(on: ["BTCUSDT"], for: alice, at: t0 + .seconds(2), ttl: .seconds(30)) == ["BTCUSDT"])
    }

    @Test("the same holder renews by acquiring again, keeping when it first acquired")
    func reacquire() throws {
        let store = try Store.inMemory()
        try store.acquireLeases(on: ["BTCUSDT"], for: alice, at: t0, ttl: .seconds(30))
        try store.acquireLeases(on: ["BTCUSDT"], for: alice, at: t0 + .seconds(10), ttl: .seconds(30))
        let lease = try #require(try store.collectorLeases().first)
        #expect(lease.acquiredAt == t0 && lease.renewedAt == t0 + .seconds(10) && lease.expiresAt == t0 + .seconds(40))
    }
}
