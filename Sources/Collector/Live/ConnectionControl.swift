/// Lets the shard close one connection: the connection's task waits on it next to the socket.
struct ConnectionControl: Sendable {
    private let signal: AsyncStream<Never>
    private let continuation: AsyncStream<Never>.Continuation

    init() { (signal, continuation) = AsyncStream.makeStream(of: Never.self) }

    /// Asks the connection to close (idempotent).
    func requestClose() { continuation.finish() }

    /// Returns once ``requestClose()`` was called or the task is cancelled.
    func waitForCloseRequest() async {
        for await _ in signal {}
    }
}
