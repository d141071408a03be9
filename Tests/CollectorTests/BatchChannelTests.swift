import Foundation
import Testing

@testable import Collector

struct BatchChannelTests {
    @Test("values arrive in order, and the producer never runs more than the capacity ahead")
    func boundedInOrder() {
        let channel = BatchChannel<Int>(capacity: 2)
        let producer = Thread {
            for i in 0..<1_000 { _ = channel.send(i) }
            channel.finish()
        }
        producer.start()
        var received: [Int] = []
        while let value = channel.receive() { received.append(value) }
        channel.waitForProducer()
        #expect(received == Array(0..<1_000))
    }

    @Test("a cancelled channel stops the producer: its next send returns false")
    func cancel() {
        let channel = BatchChannel<Int>(capacity: 1)
        let sent = SentCount()
        let producer = Thread {
            defer { channel.finish() }
            for i in 0..<1_000 {
                guard channel.send(i) else { return }
                sent.increment()
            }
        }
        producer.start()
        #expect(channel.receive() == 0)
        channel.cancel()
        channel.waitForProducer()
        // At most: the value received, one queued, one being sent when the cancel came.
        #expect(sent.value <= 3)
    }
}

/// A counter shared with the producer thread. `@unchecked Sendable`: guarded by `lock`.
private final class SentCount: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    var value: Int { lock.withLock { count } }
    func increment() { lock.withLock { count += 1 } }
}
