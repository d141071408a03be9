import Market
import Synchronization

/// Recent JSON answers of `/api/bars` and `/api/pair`, reused while the bars they were computed from are unchanged.
///
/// A key is the route, its query parameters, the resolved time range and the store's change counter
/// (`Store.changeCounter()`, read before the answer is computed), so an answer is reused only for the same question
/// over an unchanged database: any commit (a collector's, an import's, another process's) is a miss for every answer.
/// Over a database no one writes (`pairbook serve` of a finished day), reloading a page, several pages on one
/// selection, or flipping between two windows or pairs then costs a key instead of reading, analysing and encoding
/// again; under a live collector, which commits every few tens of milliseconds, answers are computed as before.
/// Holds at most `capacity` answers (about 300 kB each at most); the oldest stored goes first.
final class AnswerCache: Sendable {
    struct Key: Hashable, Sendable {
        var route: String
        var query: [String: String]
        var range: TimeRange
        var version: Int64
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

/// One value computed from the store, reused while the store's change counter is unchanged: the symbol catalog, which
/// counts every series' bars (tens of milliseconds on a day of 1-second bars) and is asked for on every page load.
final class VersionedValue<Value: Sendable>: Sendable {
    private let entry = Mutex<(version: Int64, value: Value)?>(nil)

    init() {}

    /// The value computed at `version`, or `compute()`'s, which is kept (a thrown error is not).
    func value(at version: Int64, compute: () throws -> Value) rethrows -> Value {
        if let entry = entry.withLock({ $0 }), entry.version == version { return entry.value }
        let value = try compute()
        entry.withLock { $0 = (version, value) }
        return value
    }
}
