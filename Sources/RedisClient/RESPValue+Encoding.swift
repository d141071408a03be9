import NIOCore

extension ByteBuffer {
    /// Appends `value` in RESP2 wire format. O(size of the value).
    ///
    /// ```swift
    /// buffer.writeRESP(.array([.bulkString(Array("PING".utf8))]))   // "*1\r\n$4\r\nPING\r\n"
    /// ```
    /// - Precondition: simple strings and errors contain no CR or LF (RESP2 cannot carry them there).
    public mutating func writeRESP(_ value: RESPValue) {
        switch value {
        case .simpleString(let text):
            precondition(!text.utf8.contains(where: { $0 == 13 || $0 == 10 }), "a simple string cannot hold CR or LF")
            writeRESPLine(prefix: "+", text)
        case .error(let message):
            precondition(!message.utf8.contains(where: { $0 == 13 || $0 == 10 }), "an error cannot hold CR or LF")
            writeRESPLine(prefix: "-", message)
        case .integer(let integer):
            writeRESPLine(prefix: ":", String(integer))
        case .bulkString(let bytes):
            writeRESPBulkString(bytes)
        case .array(let values):
            writeRESPLine(prefix: "*", String(values.count))
            for element in values { writeRESP(element) }
        case .null:
            writeStaticString("$-1\r\n")
        }
    }

    /// Appends `command` as RESP2 sends commands: an array of bulk strings, without building ``RESPValue``s first.
    public mutating func writeRESP(_ command: RedisCommand) {
        writeRESPLine(prefix: "*", String(command.arguments.count))
        for argument in command.arguments { writeRESPBulkString(argument.utf8) }
    }

    private mutating func writeRESPBulkString(_ bytes: some Collection<UInt8>) {
        writeRESPLine(prefix: "$", String(bytes.count))
        writeBytes(bytes)
        writeStaticString("\r\n")
    }

    private mutating func writeRESPLine(prefix: StaticString, _ text: String) {
        writeStaticString(prefix)
        writeString(text)
        writeStaticString("\r\n")
    }
}
