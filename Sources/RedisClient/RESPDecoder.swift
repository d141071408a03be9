import NIOCore

/// Decodes RESP2 values from a byte stream, incrementally: a frame split across reads (anywhere, inside a length
/// line, a bulk string or a nested array) is decoded once its last byte has arrived, and nothing is consumed before.
///
/// A partial value is parsed again from its start when more bytes arrive, so a reply that arrives in k pieces costs
/// O(k · size); replies of a few megabytes in 64 KiB reads stay well under a millisecond of work per read. Nesting
/// deeper than ``maximumDepth`` and bulk strings longer than ``maximumBulkLength`` are protocol violations (a
/// corrupt stream must not exhaust the stack or memory).
///
/// ```swift
/// var decoder = RESPDecoder()
/// var buffer = ByteBuffer(string: "*2\r\n:1\r\n$3\r\nab")
/// try decoder.decode(buffer: &buffer)     // nil: the bulk string is incomplete, nothing consumed
/// buffer.writeString("c\r\n")
/// try decoder.decode(buffer: &buffer)     // .array([.integer(1), .bulkString("abc")])
/// ```
public struct RESPDecoder: NIOSingleStepByteToMessageDecoder {
    public typealias InboundOut = RESPValue

    /// The deepest array nesting accepted.
    public static let maximumDepth = 64
    /// The longest bulk string accepted, in bytes (Redis' own `proto-max-bulk-len` default, 512 MiB).
    public static let maximumBulkLength = 512 * 1024 * 1024

    public init() {}

    /// The next complete value, consumed from `buffer`; nil (nothing consumed) while it is incomplete.
    /// - Throws: ``RedisError/protocolViolation(_:)`` for bytes that are not RESP2.
    public mutating func decode(buffer: inout ByteBuffer) throws -> RESPValue? {
        var cursor = buffer
        guard let value = try Self.value(from: &cursor, depth: 0) else { return nil }
        buffer.moveReaderIndex(to: cursor.readerIndex)
        return value
    }

    /// As ``decode(buffer:)``; bytes of an incomplete value left at the end of the stream are dropped.
    public mutating func decodeLast(buffer: inout ByteBuffer, seenEOF: Bool) throws -> RESPValue? {
        try decode(buffer: &buffer)
    }

    // MARK: - Parsing

    /// One value read from `buffer`, or nil when it is incomplete (then `buffer` is left part-read: callers use a copy).
    private static func value(from buffer: inout ByteBuffer, depth: Int) throws -> RESPValue? {
        guard let type = buffer.readInteger(as: UInt8.self) else { return nil }
        switch type {
        case UInt8(ascii: "+"):
            return try line(from: &buffer).map { .simpleString(String(decoding: $0, as: UTF8.self)) }
        case UInt8(ascii: "-"):
            return try line(from: &buffer).map { .error(String(decoding: $0, as: UTF8.self)) }
        case UInt8(ascii: ":"):
            return try integer(from: &buffer).map { .integer($0) }
        case UInt8(ascii: "$"):
            guard let length = try integer(from: &buffer) else { return nil }
            if length == -1 { return .null }
            guard (0...Int64(maximumBulkLength)).contains(length) else {
                throw RedisError.protocolViolation("bulk string length \(length)")
            }
            guard buffer.readableBytes >= Int(length) + 2, let bytes = buffer.readBytes(length: Int(length)) else { return nil }
            guard buffer.readInteger(as: UInt16.self) == crlf else {
                throw RedisError.protocolViolation("bulk string of \(length) bytes not followed by CRLF")
            }
            return .bulkString(bytes)
        case UInt8(ascii: "*"):
            guard let count = try integer(from: &buffer) else { return nil }
            if count == -1 { return .null }
            guard count >= 0, count <= Int64(maximumBulkLength) else { throw RedisError.protocolViolation("array length \(count)") }
            guard depth < maximumDepth else { throw RedisError.protocolViolation("arrays nested deeper than \(maximumDepth)") }
            var elements: [RESPValue] = []
            // Each element needs at least 3 bytes: do not reserve more than could have arrived.
            elements.reserveCapacity(min(Int(count), buffer.readableBytes / 3))
            for _ in 0..<count {
                guard let element = try value(from: &buffer, depth: depth + 1) else { return nil }
                elements.append(element)
            }
            return .array(elements)
        default:
            throw RedisError.protocolViolation("unexpected type byte 0x\(String(type, radix: 16))")
        }
    }

    private static let crlf = UInt16(0x0D0A)

    /// The bytes up to CRLF (CRLF consumed), or nil when the CRLF has not arrived yet.
    private static func line(from buffer: inout ByteBuffer) throws -> [UInt8]? {
        guard let cr = buffer.readableBytesView.firstIndex(of: UInt8(ascii: "\r")) else { return nil }
        let length = cr - buffer.readerIndex
        guard buffer.readableBytes >= length + 2 else { return nil }
        guard buffer.getInteger(at: cr + 1, as: UInt8.self) == UInt8(ascii: "\n") else {
            throw RedisError.protocolViolation("CR not followed by LF")
        }
        defer { buffer.moveReaderIndex(forwardBy: 2) }
        return buffer.readBytes(length: length)
    }

    /// A decimal line (`:42`, `$5`, `*-1`), or nil when incomplete.
    private static func integer(from buffer: inout ByteBuffer) throws -> Int64? {
        guard let bytes = try line(from: &buffer) else { return nil }
        guard let value = Int64(String(decoding: bytes, as: UTF8.self)) else {
            throw RedisError.protocolViolation("expected an integer, got \(String(decoding: bytes.prefix(32), as: UTF8.self).debugDescription)")
        }
        return value
    }
}
