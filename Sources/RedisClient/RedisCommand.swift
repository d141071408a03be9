/// One Redis command: its name and arguments, sent as an array of bulk strings (so arguments may hold any text,
/// spaces and newlines included).
///
/// ```swift
/// let add = RedisCommand("XADD", "pairbook:trades:BTCUSDT", "MAXLEN", "~", "1000", "*", "price", "64000.5")
/// let length = try await connection.send(RedisCommand("XLEN", "pairbook:trades:BTCUSDT")).integer
/// ```
public struct RedisCommand: Sendable, Hashable, CustomStringConvertible {
    /// The command name first, then its arguments.
    public var arguments: [String]

    /// - Precondition: `arguments` is not empty (the first is the command name).
    public init(_ arguments: [String]) {
        precondition(!arguments.isEmpty, "a Redis command needs a name")
        self.arguments = arguments
    }

    public init(_ name: String, _ arguments: String...) { self.init([name] + arguments) }

    /// The command name as given (`XADD`).
    public var name: String { arguments[0] }

    /// The name and up to three arguments, for error messages (values may be long or private).
    public var description: String {
        (arguments.prefix(4) + (arguments.count > 4 ? ["…"] : [])).joined(separator: " ")
    }
}
