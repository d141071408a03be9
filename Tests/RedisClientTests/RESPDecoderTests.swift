import NIOCore
import RedisClient
import Testing

@Suite("RESPDecoder: incremental RESP2 decoding")
struct RESPDecoderTests {
    static func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    @Test("each kind of value", arguments: [
        ("+OK\r\n", RESPValue.simpleString("OK")),
        ("-ERR unknown command 'NOPE'\r\n", .error("ERR unknown command 'NOPE'")),
        (":-42\r\n", .integer(-42)),
        ("$5\r\nhe\r\no\r\n", .bulkString(bytes("he\r\no"))),
        ("$0\r\n\r\n", .bulkString([])),
        ("$-1\r\n", .null),
        ("*-1\r\n", .null),
        ("*0\r\n", .array([])),
        ("*3\r\n:1\r\n$-1\r\n+x\r\n", .array([.integer(1), .null, .simpleString("x")])),
    ])
    func kinds(wire: String, expected: RESPValue) throws {
        var decoder = RESPDecoder()
        var buffer = ByteBuffer(string: wire)
        #expect(try decoder.decode(buffer: &buffer) == expected)
        #expect(buffer.readableBytes == 0)
    }

    /// An XREVRANGE-like reply: arrays in arrays, bulk strings with CRLF inside, an integer and a null.
    static let nested: RESPValue = .array([
        .array([.bulkString(bytes("1700000000000-0")),
                .array([.bulkString(bytes("price")), .bulkString(bytes("64000.5")), .bulkString(bytes("note")),
                        .bulkString(bytes("a\r\nb"))])]),
        .array([.array([.integer(7), .null, .array([])])]),
        .simpleString("OK"),
    ])

    @Test("a frame split at every byte decodes only when complete, consuming nothing before")
    func everySplit() throws {
        var whole = ByteBuffer()
        whole.writeRESP(Self.nested)
        let wire = Array(whole.readableBytesView)
        for split in 1..<wire.count {
            var decoder = RESPDecoder()
            var buffer = ByteBuffer(bytes: wire[..<split])
            #expect(try decoder.decode(buffer: &buffer) == nil, "split at \(split)")
            #expect(buffer.readableBytes == split, "nothing consumed at split \(split)")
            buffer.writeBytes(wire[split...])
            #expect(try decoder.decode(buffer: &buffer) == Self.nested, "split at \(split)")
            #expect(buffer.readableBytes == 0)
        }
    }

    @Test("bytes arriving one at a time, several values back to back")
    func byteByByte() throws {
        let values: [RESPValue] = [Self.nested, .integer(1), .bulkString(Self.bytes("x")), .null, Self.nested]
        var wire = ByteBuffer()
        for value in values { wire.writeRESP(value) }
        var decoder = RESPDecoder()
        var buffer = ByteBuffer()
        var decoded: [RESPValue] = []
        for byte in wire.readableBytesView {
            buffer.writeInteger(byte)
            while let value = try decoder.decode(buffer: &buffer) { decoded.append(value) }
        }
        #expect(decoded == values)
    }

    @Test("what is not RESP2 is a protocol violation", arguments: [
        "?what\r\n", "+OK\rX", ":12a\r\n", "$3\r\nabcXY", "$-2\r\n", "*-5\r\n",
        String(repeating: "*1\r\n", count: RESPDecoder.maximumDepth + 1) + ":1\r\n",
    ])
    func violations(wire: String) {
        var decoder = RESPDecoder()
        var buffer = ByteBuffer(string: wire)
        #expect(throws: RedisError.self) { try decoder.decode(buffer: &buffer) }
    }

    @Test("a command is an array of bulk strings")
    func commandEncoding() throws {
        var buffer = ByteBuffer()
        buffer.writeRESP(RedisCommand("SET", "key", "two words\r\n"))
        #expect(buffer.readString(length: buffer.readableBytes) == "*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$11\r\ntwo words\r\n\r\n")
    }
}
