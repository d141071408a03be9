import Dispatch

/// Runs blocking `body` (an import writing to a store that blocks, a wait for a child process) on a thread of its own,
/// and awaits its result.
///
/// Swift concurrency has as many threads as cores (two here), shared by every task of the process: blocking one of
/// them stalls the others' timers and I/O, and a blocking call that waits for a task of its own (a PostgreSQL store's
/// bridge) can wait for ever. A serial dispatch queue is served by a thread outside that pool.
public func onThreadOfItsOwn<T: Sendable>(_ label: String, _ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue(label: label).async {
            continuation.resume(with: Result { try body() })
        }
    }
}
