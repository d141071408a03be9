/// What can go wrong talking to Redis; each `description` is one line naming the server or the command.
public enum RedisError: Error, CustomStringConvertible, Equatable {
    /// A `redis://` URL that cannot be used.
    case invalidURL(String, reason: String)
    /// The TCP connection could not be made (refused, unreachable, unknown host).
    case connectFailed(host: String, port: Int, reason: String)
    /// No connection within the connect timeout.
    case connectTimeout(host: String, port: Int, after: Duration)
    /// A reply did not arrive within the command timeout; the connection is closed (later replies would be mismatched).
    case commandTimeout(command: String, after: Duration)
    /// The connection closed (or failed) before the reply arrived.
    case connectionClosed(reason: String)
    /// The server answered with an error reply (`-ERR …`, `-WRONGTYPE …`).
    case server(command: String, message: String)
    /// Bytes that are not RESP2; the connection is closed.
    case protocolViolation(String)

    /// Whether the connection is unusable after this error (a server error reply leaves it usable).
    public var closesConnection: Bool {
        switch self {
        case .server, .invalidURL: false
        default: true
        }
    }

    public var description: String {
        switch self {
        case .invalidURL(let url, let reason): "invalid Redis URL \(url.debugDescription): \(reason)"
        case .connectFailed(let host, let port, let reason): "cannot connect to Redis at \(host):\(port): \(reason)"
        case .connectTimeout(let host, let port, let after): "no connection to Redis at \(host):\(port) within \(after)"
        case .commandTimeout(let command, let after): "Redis did not answer \(command) within \(after); connection closed"
        case .connectionClosed(let reason): "Redis connection closed: \(reason)"
        case .server(let command, let message): "Redis refused \(command): \(message)"
        case .protocolViolation(let detail): "Redis protocol violation: \(detail)"
        }
    }
}
