import Dispatch
import Market
import PostgresStorage
import ReportEngine
import Storage
import Synchronization

/// A PostgreSQL store as a report run's ``ReportEngine/ReportStore`` and the dashboard's ``Dashboard/DashboardStore``:
/// each synchronous call runs the store's asynchronous method to its end and blocks the calling thread meanwhile.
/// Report runs and the dashboard's reads are synchronous and run on threads of their own (``ScheduledReportRunner``'s
/// thread pool, `pairbook report`'s, the dashboard's `offload`), so blocking never holds a Swift concurrency or
/// event-loop thread that the query itself needs.
public struct BlockingPostgresStore: ReportStore {
    public let store: PostgresStore

    public init(_ store: PostgresStore) {
        self.store = store
    }

    public func symbols() throws -> [Symbol] {
        try blocking { try await store.symbols() }
    }

    public func bars(for symbol: Symbol, timeframe: Timeframe, in range: TimeRange) throws -> BarSeries {
        try blocking { try await store.bars(for: symbol, timeframe: timeframe, in: range) }
    }

    public func gaps(for symbol: Symbol?) throws -> [StreamGap] {
        try blocking { try await store.gaps(for: symbol) }
    }

    public func alertEvents(source: String, rule: String, symbolPair: String, before time: Timestamp, limit: Int) throws -> [AlertEventRecord] {
        try blocking { try await store.alertEvents(source: source, rule: rule, symbolPair: symbolPair, before: time, limit: limit) }
    }

    @discardableResult
    public func recordAlertEvents(_ events: [AlertEventRecord]) throws -> Int {
        try blocking { try await store.recordAlertEvents(events) }
    }

    public func claimReportSlot(_ slot: String, script: String, params: String, startedAt: Timestamp, worker: LeaseHolder,
                                staleAfter: TimeSpan) throws -> Int64? {
        try blocking {
            try await store.claimReportSlot(slot, script: script, params: params, startedAt: startedAt, worker: worker, staleAfter: staleAfter)
        }
    }

    public func beginReportRun(script: String, params: String, startedAt: Timestamp) throws -> Int64 {
        try blocking { try await store.beginReportRun(script: script, params: params, startedAt: startedAt) }
    }

    public func finishReportRun(id: Int64, finishedAt: Timestamp, status: ReportRunStatus, outputs: String?, error: String?) throws {
        try blocking { try await store.finishReportRun(id: id, finishedAt: finishedAt, status: status, outputs: outputs, error: error) }
    }
}

/// `operation` run to its end in a task of its own while the calling thread waits; its result or error.
func blocking<T: Sendable>(_ operation: @escaping @Sendable () async throws -> T) throws -> T {
    let outcome = Mutex<Result<T, any Error>?>(nil)
    let done = DispatchSemaphore(value: 0)
    Task {
        let result: Result<T, any Error>
        do { result = .success(try await operation()) } catch { result = .failure(error) }
        outcome.withLock { $0 = result }
        done.signal()
    }
    done.wait()
    guard let result = outcome.withLock({ $0 }) else { preconditionFailure("the task signalled before setting its result") }
    return try result.get()
}
