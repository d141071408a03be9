import Market
import Storage
import Synchronization

/// Recent JSON answers of `/api/bars` and `/api/pair`, reused while the bars they were computed from are unchanged.
///
/// A key is the route, its query parameters, the resolved time range and the ``SeriesVersion`` of every series the
/// answer reads, so an answer is reused only for the same question over the same stored bars: a new trade, a new bar
/// or another window is a miss. Reloading a page, several pages on one selection, or flipping between two windows
/// then costs a version scan (a few ms per series) instead of reading, analysing and encoding again. Holds at most
/// `capacity` answers (about 300 kB each at most); the oldest stored goes first.
final class AnswerCache: Sendable {
    struct Key: Hashable, Sendable {
        var route: String
        var query: [String: String]
        var range: TimeRange
        var versions: [SeriesVersion]
    }

    private struct Entries {
        var texts: [Key: String] = [:]
        var order: [Key] = []
    }

    private let entries = Mutex(Entries())
    let capacity: Int

    init(capacity: Int = 32) {
        precondition(capacity > 0)
        self.capacity = capacity
    }

    /// The stored answer for `key`, or `compute()`'s, which is stored (a thrown error is not).
    func text(for key: Key, compute: () throws -> String) rethrows -> String {
        if let text = entries.withLock({ $0.texts[key] }) { return text }
        let text = try compute()
        entries.withLock { entries in
            guard entries.texts.updateValue(text, forKey: key) == nil else { return }
            entries.order.append(key)
            if entries.order.count > capacity { entries.texts[entries.order.removeFirst()] = nil }
        }
        return text
    }

    /// Answers stored now.
    var count: Int { entries.withLock { $0.texts.count } }
}
