import Foundation

/// A bounded hand-off of values from one producing thread to one consuming thread.
///
/// At most `capacity` values wait: a producer that runs ahead blocks in ``send(_:)``, so memory stays
/// O(capacity × value size) however long the stream. Either side can stop the other: the producer by
/// ``finish()`` (the consumer drains what is queued, then ``receive()`` returns `nil`), the consumer by
/// ``cancel()`` (the producer's next ``send(_:)`` returns `false`). ``waitForProducer()`` joins the producer.
///
/// `@unchecked Sendable`: every stored property is read and written only while holding `condition`.
final class BatchChannel<Element: Sendable>: @unchecked Sendable {
    private let condition = NSCondition()
    private let capacity: Int
    /// At most `capacity` values (a few), so `removeFirst()` is cheap.
    private var queue: [Element] = []
    private var finished = false
    private var cancelled = false

    /// - Precondition: `capacity > 0`.
    init(capacity: Int) {
        precondition(capacity > 0, "a channel needs room for one value")
        self.capacity = capacity
    }

    /// Queues `value`, waiting while the channel is full. Returns `false` (dropping `value`) once cancelled.
    func send(_ value: Element) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while queue.count >= capacity, !cancelled { condition.wait() }
        guard !cancelled else { return false }
        queue.append(value)
        condition.broadcast()
        return true
    }

    /// The next value, waiting while none is queued; `nil` once the producer has finished and all is drained.
    func receive() -> Element? {
        condition.lock()
        defer { condition.unlock() }
        while queue.isEmpty, !finished { condition.wait() }
        guard !queue.isEmpty else { return nil }
        let value = queue.removeFirst()
        condition.broadcast()
        return value
    }

    /// Called by the producer when it sends nothing more (also after a cancellation).
    func finish() {
        condition.lock()
        finished = true
        condition.broadcast()
        condition.unlock()
    }

    /// Called by the consumer when it takes nothing more: queued values are dropped, the producer stops.
    func cancel() {
        condition.lock()
        cancelled = true
        queue.removeAll()
        condition.broadcast()
        condition.unlock()
    }

    /// Waits until the producer has called ``finish()``.
    func waitForProducer() {
        condition.lock()
        while !finished { condition.wait() }
        condition.unlock()
    }
}
