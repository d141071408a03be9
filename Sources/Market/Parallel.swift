import Dispatch
import Synchronization

/// Independent computations on several threads at once.
public enum Parallel {
    /// Runs `first` and `second` at once (each on its own thread when a core is free) and returns both results.
    ///
    /// - Throws: `first`'s error if it threw, else `second`'s; both always run to the end.
    public static func both<A: Sendable, B: Sendable>(_ first: @Sendable () throws -> A, _ second: @Sendable () throws -> B) throws -> (A, B) {
        let results = Mutex<(a: Result<A, any Error>?, b: Result<B, any Error>?)>((nil, nil))
        DispatchQueue.concurrentPerform(iterations: 2) { part in
            if part == 0 {
                let a = Result { try first() }
                results.withLock { $0.a = a }
            } else {
                let b = Result { try second() }
                results.withLock { $0.b = b }
            }
        }
        // concurrentPerform returns once both parts have run, so both results are set.
        let (a, b) = results.withLock { ($0.a, $0.b) }
        guard let a, let b else { preconditionFailure("concurrentPerform returned before both parts ran") }
        return (try a.get(), try b.get())
    }
}
