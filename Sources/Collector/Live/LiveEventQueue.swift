import Synchronization

/// The bounded queue between stream(s) and recorder: at most ``capacity`` ``LiveEvent``s wait in memory.
///
/// Back-pressure, never loss: ``send(_:)`` suspends while the queue is full, so a socket reader stops reading
/// (TCP then slows the sender) instead of the queue growing without bound or a trade being dropped. The
/// recorder takes events in batches with ``nextBatch(maximum:delay:)``. Memory is O(capacity) whatever
/// the run time. ``statistics`` counts how often and how deep the queue filled.
///
/// Two exceptions, both at shutdown: a producer whose task is cancelled while it waits enqueues its event
/// anyway (beyond capacity, counted in ``Statistics/overflows``) rather than lose it; and an event sent
/// after ``finish()`` is refused (``send(_:)`` returns `false`, counted in ``Statistics/refused``).
///
/// ```swift
/// let queue = LiveEventQueue(capacity: 65_536)
/// await queue.send(.tick(tick, receivedAt: .now))                                           // a stream's reader
/// while let events = await queue.nextBatch(maximum: 5_000, delay: .milliseconds(20)) { … }  // the recorder
/// ```
public final class LiveEventQueue: Sendable {
    /// Default ``capacity``: about 3 s of a 20,000 trades/s burst, ≈ 5 MB of events.
    public static let defaultCapacity = 65_536

    /// Counters for the status line and the benchmark.
    public struct Statistics: Sendable, Equatable {
        /// Events waiting now.
        public var depth = 0
        /// Most events ever waiting at once.
        public var highWaterMark = 0
        /// How often a producer found the queue full and waited.
        public var waitsForSpace = 0
        /// Events enqueued beyond capacity by a producer cancelled while waiting (shutdown).
        public var overflows = 0
        /// Events refused because the queue was finished.
        public var refused = 0

        public init() {}
    }

    private struct Waiter {
        var id: UInt64
        var continuation: CheckedContinuation<Void, Never>
    }

    private struct State {
        var buffer: [LiveEvent] = []
        /// When the oldest waiting event was enqueued (`nil` when empty).
        var oldestEnqueuedAt: ContinuousClock.Instant?
        var consumer: CheckedContinuation<Void, Never>?
        var producers: [Waiter] = []
        var nextWaiterID: UInt64 = 0
        var finished = false
        var statistics = Statistics()

        /// Appends and returns the consumer to wake, if one waits.
        mutating func append(_ event: LiveEvent) -> CheckedContinuation<Void, Never>? {
            if buffer.isEmpty { oldestEnqueuedAt = .now }
            buffer.append(event)
            statistics.depth = buffer.count
            statistics.highWaterMark = Swift.max(statistics.highWaterMark, buffer.count)
            defer { consumer = nil }
            return consumer
        }
    }

    private enum SendAttempt {
        case sent(wake: CheckedContinuation<Void, Never>?)
        case full
        case refused
    }

    /// Most events held at once (a producer waits beyond it).
    public let capacity: Int
    private let state = Mutex(State())

    /// - Parameter capacity: events held at most; ≥ 1.
    public init(capacity: Int = LiveEventQueue.defaultCapacity) {
        precondition(capacity > 0, "capacity must be positive")
        self.capacity = capacity
    }

    /// A copy of the counters now.
    public var statistics: Statistics { state.withLock { $0.statistics } }

    // MARK: - Producers

    /// Enqueues one event, waiting while the queue is full (thread-safe; O(1) when there is room).
    ///
    /// - Returns: `false` only when the queue was already finished (the event is not recorded).
    @discardableResult
    public func send(_ event: LiveEvent) async -> Bool {
        while true {
            let attempt: SendAttempt = state.withLock { state in
                if state.finished {
                    state.statistics.refused += 1
                    return .refused
                }
                guard state.buffer.count < capacity else { return .full }
                return .sent(wake: state.append(event))
            }
            switch attempt {
            case .sent(let wake):
                wake?.resume()
                return true
            case .refused:
                return false
            case .full:
                if await waitForSpace() == false {
                    // Cancelled while waiting (shutdown): keep the event rather than lose it.
                    let wake: CheckedContinuation<Void, Never>?? = state.withLock { state in
                        if state.finished {
                            state.statistics.refused += 1
                            return .none
                        }
                        state.statistics.overflows += 1
                        return .some(state.append(event))
                    }
                    guard let wake else { return false }
                    wake?.resume()
                    return true
                }
            }
        }
    }

    /// Waits until the consumer took events (or the queue finished). `false` when the task was cancelled.
    private func waitForSpace() async -> Bool {
        let id: UInt64 = state.withLock { state in
            state.nextWaiterID += 1
            state.statistics.waitsForSpace += 1
            return state.nextWaiterID
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let resumeNow = state.withLock { state -> Bool in
                    if state.finished || state.buffer.count < capacity || Task.isCancelled { return true }
                    state.producers.append(Waiter(id: id, continuation: continuation))
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { state -> Waiter? in
                guard let index = state.producers.firstIndex(where: { $0.id == id }) else { return nil }
                return state.producers.remove(at: index)
            }
            waiter?.continuation.resume()
        }
        return !Task.isCancelled
    }

    /// No more events: ``nextBatch(maximum:delay:)`` returns what is queued, then `nil`. Idempotent.
    public func finish() {
        let (consumer, producers) = state.withLock { state in
            state.finished = true
            defer {
                state.consumer = nil
                state.producers = []
            }
            return (state.consumer, state.producers)
        }
        consumer?.resume()
        for producer in producers { producer.continuation.resume() }
    }

    // MARK: - Consumer (one task)

    /// The next batch of at most `maximum` events, in send order.
    ///
    /// Waits for a first event, then until that event has waited `delay` (so that a batch collects what
    /// arrives meanwhile) unless `maximum` events are already queued or the queue is finished. Events taken
    /// make room for waiting producers. On cancellation it returns what is queued without waiting.
    ///
    /// - Returns: `nil` once the queue is finished (or the task cancelled) and empty.
    public func nextBatch(maximum: Int, delay: Duration) async -> [LiveEvent]? {
        precondition(maximum > 0)
        await waitForEvents()
        let deadline: ContinuousClock.Instant? = state.withLock { state in
            guard !state.finished, state.buffer.count < maximum, let oldest = state.oldestEnqueuedAt else { return nil }
            return oldest + delay
        }
        if let deadline, deadline > .now { try? await Task.sleep(until: deadline, clock: .continuous) }
        let (batch, producers) = state.withLock { state -> ([LiveEvent]?, [Waiter]) in
            guard !state.buffer.isEmpty else { return (nil, []) }
            let batch: [LiveEvent]
            if state.buffer.count <= maximum {
                batch = state.buffer
                state.buffer.removeAll(keepingCapacity: true)
                state.oldestEnqueuedAt = nil
            } else {
                // The rest is already overdue: the next call takes it without waiting.
                batch = Array(state.buffer.prefix(maximum))
                state.buffer.removeFirst(maximum)
            }
            state.statistics.depth = state.buffer.count
            defer { state.producers = [] }
            return (batch, state.producers)
        }
        for producer in producers { producer.continuation.resume() }
        return batch
    }

    /// Returns once an event is queued, the queue is finished, or the task is cancelled.
    private func waitForEvents() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let resumeNow = state.withLock { state -> Bool in
                    if !state.buffer.isEmpty || state.finished || Task.isCancelled { return true }
                    state.consumer = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let consumer = state.withLock { state in
                defer { state.consumer = nil }
                return state.consumer
            }
            consumer?.resume()
        }
    }
}
