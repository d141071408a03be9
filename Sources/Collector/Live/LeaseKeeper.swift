import Foundation
import Logging
import Market
import ServiceLifecycle
import Storage

/// Holds a live collector's leases on its symbols in the database (`collector_leases`, SQLite or PostgreSQL), so that a second collector of
/// a symbol is refused with a clear message while this one runs, and another can take over within ``ttl`` of this
/// one dying.
///
/// ``acquire()`` (before anything starts) takes the leases or throws ``Storage/LeaseConflict``; the service renews them
/// every ``renewEvery`` of `clock` and releases them when it stops. Start it before the recorder in a ServiceGroup, so
/// it stops after the recorder's last commit. A renewal that fails (a locked or full database) is logged and tried
/// again at the next tick; the lease expires only if that goes on for ``ttl``.
///
/// With `share`, symbols leased by another collector are recorded alongside it (the user asked for it): bars stay
/// right because every batch marks its writer (``Recorder``), at the cost of rebuilding the shared bars each batch.
public struct LeaseKeeper<C: Clock>: Service where C.Duration == Duration {
    public let store: any LiveStore
    public let symbols: [Symbol]
    public let holder: LeaseHolder
    public let share: Bool
    public let ttl: TimeSpan
    public let renewEvery: Duration
    let clock: C
    let now: @Sendable () -> Timestamp
    let logger: Logger

    public init(store: any LiveStore, symbols: [Symbol], share: Bool, holder: LeaseHolder = .thisProcess(), ttl: TimeSpan = .seconds(30),
                renewEvery: Duration = .seconds(10), clock: C, now: @escaping @Sendable () -> Timestamp = Timestamp.now,
                logger: Logger) {
        self.store = store
        self.symbols = symbols
        self.holder = holder
        self.share = share
        self.ttl = ttl
        self.renewEvery = renewEvery
        self.clock = clock
        self.now = now
        self.logger = logger
    }

    /// Takes the leases of every symbol (all or none).
    ///
    /// - Throws: ``Storage/LeaseConflict`` when another collector holds one (and `share` is off); what the store throws.
    public func acquire() async throws {
        let me = holder
        let leased = try await store.acquireLeases(on: symbols, for: holder, at: now(), ttl: ttl, share: share) { lease in
            // A collector of this host whose process is gone (killed, crashed) left it: no need to wait for the expiry.
            me.seesGone(host: lease.host, pid: lease.pid)
        }
        let shared = Set(symbols).subtracting(leased)
        if !shared.isEmpty {
            logger.warning("recording alongside another collector (--share-symbols)", metadata: [
                "symbols": "\(shared.sorted().map(\.name).joined(separator: ","))",
            ])
        }
    }

    public func run() async throws {
        let initiallyHeld = Set(try await store.collectorLeases().filter { $0.holder == holder.id }.map(\.symbol))
        await cancelWhenGracefulShutdown {
            var held = initiallyHeld
            while !Task.isCancelled {
                do { try await clock.sleep(for: renewEvery) } catch { return }
                do {
                    let renewed = Set(try await store.renewLeases(of: holder, at: now(), ttl: ttl))
                    for lost in held.subtracting(renewed).sorted() {
                        logger.error("lost the lease on a symbol: another collector took it over after it expired", metadata: ["symbol": "\(lost)"])
                    }
                    held = renewed
                } catch {
                    logger.warning("renewing the collector's leases failed; retrying", metadata: ["error": "\(error)"])
                }
            }
        }
        do {
            try await store.releaseLeases(of: holder)
        } catch {
            logger.warning("releasing the collector's leases failed; they expire by themselves", metadata: ["error": "\(error)"])
        }
    }
}

extension LeaseHolder {
    /// This process: host name, pid, and a random part (a restarted process, or a second collector in one process,
    /// is a new holder).
    public static func thisProcess() -> LeaseHolder {
        let host = ProcessInfo.processInfo.hostName
        let pid = Int64(ProcessInfo.processInfo.processIdentifier)
        return LeaseHolder(id: "\(host)/\(pid)/\(String(UInt32.random(in: .min ... .max), radix: 36))", host: host, pid: pid)
    }
}
