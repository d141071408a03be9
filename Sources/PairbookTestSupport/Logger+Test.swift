import InMemoryLogging
import Logging

extension Logger {
    /// A logger for tests that don't look at what is logged: it discards everything.
    public static let quiet = Logger(label: "pairbook.test", factory: { _ in SwiftLogNoOpLogHandler() })

    /// A logger that keeps every entry in memory (swift-log's `InMemoryLogHandler`), for tests that check what was
    /// logged.
    ///
    /// ```swift
    /// let (logger, log) = Logger.recording()
    /// …
    /// #expect(log.entries.contains { $0.level == .warning })
    /// ```
    public static func recording(_ label: String = "pairbook.test") -> (Logger, InMemoryLogHandler) {
        let handler = InMemoryLogHandler()
        return (Logger(label: label, factory: { _ in handler }), handler)
    }
}
