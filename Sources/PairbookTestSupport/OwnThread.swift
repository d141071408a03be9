import Market

/// Runs blocking `body` (waiting for a child process, a server's start) on a thread of its own, and awaits it.
///
/// Swift concurrency has as many threads as cores (two here), shared by every test running at once: a test that
/// waits for a child process on one of them stalls the others' timers and I/O for as long.
public func onOwnThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await onThreadOfItsOwn("pairbook.test.blocking", body)
}
