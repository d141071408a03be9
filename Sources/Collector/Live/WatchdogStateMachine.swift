import Market

/// Per-symbol silence detection on one open connection.
///
/// Binance keeps a connection open (and answers pings) even when it sends nothing for a stream, which
/// is how collectors went silently dead after the 2026 endpoint change. Every subscribed symbol must
/// produce a frame (trade or not) at least every ``timeout`` while the connection is open; otherwise
/// ``check(at:)`` reports the silent symbols once, and the caller logs loudly and reconnects.
/// O(symbols) per check, O(1) per frame.
public struct WatchdogStateMachine<C: Clock>: Sendable where C.Duration == Duration {
    /// Result of a check.
    public enum Action: Sendable, Equatable {
        /// Every symbol was heard from recently enough.
        case healthy
        /// These symbols (sorted) have been silent; `silentFor` is the longest silence among them.
        case stalled([Symbol], silentFor: Duration)
    }

    public let timeout: Duration
    private var lastFrame: [Symbol: C.Instant]
    private var fired = false

    /// Starts watching `symbols` on a connection that opened at `startedAt`.
    public init(symbols: [Symbol], timeout: Duration, startedAt: C.Instant) {
        self.timeout = timeout
        self.lastFrame = Dictionary(symbols.map { ($0, startedAt) }, uniquingKeysWith: { a, _ in a })
    }

    /// A frame for `symbol` arrived (symbols not watched are ignored).
    public mutating func frameReceived(for symbol: Symbol, at now: C.Instant) {
        if lastFrame[symbol] != nil { lastFrame[symbol] = now }
    }

    /// Reports silent symbols; fires at most once per connection.
    public mutating func check(at now: C.Instant) -> Action {
        guard !fired else { return .healthy }
        var stalled: [Symbol] = []
        var longest: Duration = .zero
        for (symbol, last) in lastFrame {
            let silence = last.duration(to: now)
            if silence >= timeout {
                stalled.append(symbol)
                longest = max(longest, silence)
            }
        }
        guard !stalled.isEmpty else { return .healthy }
        fired = true
        return .stalled(stalled.sorted(), silentFor: longest)
    }
}
