/// One value of the Redis serialization protocol, version 2 (RESP2): what a server replies, and what a command is
/// sent as (an array of bulk strings).
///
/// A null bulk string (`$-1`) and a null array (`*-1`) both decode to ``null``: RESP2 gives them the same meaning
/// ("no value"). An `-ERR …` reply decodes to ``error(_:)``; ``RedisConnection`` turns it into a thrown
/// ``RedisError/server(command:message:)``.
///
/// ```swift
/// let reply: RESPValue = .array([.bulkString(Array("1700000000000-0".utf8)), .null])
/// reply.array?.first?.string    // "1700000000000-0"
/// ```
public enum RESPValue: Sendable, Hashable, CustomStringConvertible {
    /// `+OK`: a line of text without CR or LF.
    case simpleString(String)
    /// `-ERR unknown command`: the server's error message, with its leading error code.
    case error(String)
    /// `:42`: a signed 64-bit integer.
    case integer(Int64)
    /// `$5\r\nhello`: binary-safe bytes.
    case bulkString([UInt8])
    /// `*2\r\n…`: values of any kind, nested arrays included.
    case array([RESPValue])
    /// `$-1` or `*-1`: no value (a missing key, a timed-out blocking read).
    case null

    /// The text of a simple or bulk string (bulk bytes read as UTF-8), else nil.
    public var string: String? {
        switch self {
        case .simpleString(let text): text
        case .bulkString(let bytes): String(decoding: bytes, as: UTF8.self)
        default: nil
        }
    }

    /// The value of an integer reply, else nil.
    public var integer: Int64? {
        if case .integer(let value) = self { value } else { nil }
    }

    /// The elements of an array reply, else nil.
    public var array: [RESPValue]? {
        if case .array(let values) = self { values } else { nil }
    }

    /// Redis-cli style: `"text"`, `(integer) 3`, `(error) ERR …`, `(nil)`, `[a, b]`.
    public var description: String {
        switch self {
        case .simpleString(let text): text
        case .error(let message): "(error) \(message)"
        case .integer(let value): "(integer) \(value)"
        case .bulkString(let bytes): String(decoding: bytes, as: UTF8.self).debugDescription
        case .array(let values): "[" + values.map(\.description).joined(separator: ", ") + "]"
        case .null: "(nil)"
        }
    }
}
