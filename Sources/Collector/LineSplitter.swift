import Foundation

/// Cuts a stream of byte chunks into lines without copying (except a line that straddles two chunks).
///
/// Accepts `\n` and `\r\n`; the line handed out excludes the terminator. Blank lines are skipped
/// but counted, so line numbers match an editor's (1-based).
struct LineSplitter {
    /// A line split across chunks, kept until its end arrives.
    private var carry: [UInt8] = []
    /// Number of the next line (1-based).
    private(set) var lineNumber = 1

    /// The longest line accepted; a longer one (a file that is not line-oriented CSV) stops the
    /// import instead of growing memory without bound.
    static let maximumLineLength = 1 << 16

    /// A line longer than ``maximumLineLength``.
    struct LineTooLong: Error {
        let lineNumber: Int
    }

    /// Feeds one chunk; calls `body` with each complete line and its number.
    mutating func feed(_ chunk: UnsafeRawBufferPointer,
                       _ body: (UnsafeBufferPointer<UInt8>, Int) throws -> Void) throws {
        guard let base = chunk.baseAddress?.assumingMemoryBound(to: UInt8.self), chunk.count > 0 else { return }
        let end = base + chunk.count
        var start = base
        while start < end {
            guard let hit = memchr(start, 0x0A, end - start) else {
                carry.append(contentsOf: UnsafeBufferPointer(start: start, count: end - start))
                if carry.count > Self.maximumLineLength { throw LineTooLong(lineNumber: lineNumber) }
                return
            }
            let newline = UnsafePointer(hit.assumingMemoryBound(to: UInt8.self))
            if carry.isEmpty {
                try emit(UnsafeBufferPointer(start: start, count: newline - start), body)
            } else {
                carry.append(contentsOf: UnsafeBufferPointer(start: start, count: newline - start))
                let line = carry
                carry.removeAll(keepingCapacity: true)
                try line.withUnsafeBufferPointer { try emit($0, body) }
            }
            start = newline + 1
        }
    }

    /// Hands out a last line without a final newline.
    mutating func finish(_ body: (UnsafeBufferPointer<UInt8>, Int) throws -> Void) throws {
        guard !carry.isEmpty else { return }
        let line = carry
        carry.removeAll()
        try line.withUnsafeBufferPointer { try emit($0, body) }
    }

    private mutating func emit(_ raw: UnsafeBufferPointer<UInt8>,
                               _ body: (UnsafeBufferPointer<UInt8>, Int) throws -> Void) throws {
        let number = lineNumber
        lineNumber += 1
        var count = raw.count
        if count > 0, raw[count - 1] == 0x0D { count -= 1 }
        guard count > 0, let base = raw.baseAddress else { return }
        try body(UnsafeBufferPointer(start: base, count: count), number)
    }
}
