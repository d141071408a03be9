/// Where a Redis server is and how long to wait for it: parsed from `redis://host[:port][/db]`.
///
/// ```swift
/// let configuration = try RedisConfiguration(url: "redis://127.0.0.1:6379/2")
/// // host "127.0.0.1", port 6379, database 2
/// ```
public struct RedisConfiguration: Sendable, Hashable, CustomStringConvertible {
    public var host: String
    /// The TCP port (default 6379).
    public var port: Int
    /// The logical database selected after connecting (`SELECT`), 0 by default.
    public var database: Int
    /// The longest a TCP connection may take.
    public var connectTimeout: Duration
    /// The longest a reply may take once its command is written (per reply, in order); then the connection is closed.
    public var commandTimeout: Duration

    public init(host: String, port: Int = 6379, database: Int = 0, connectTimeout: Duration = .seconds(5),
                commandTimeout: Duration = .seconds(5)) {
        self.host = host
        self.port = port
        self.database = database
        self.connectTimeout = connectTimeout
        self.commandTimeout = commandTimeout
    }

    /// Parses `redis://host[:port][/db]` (IPv6 hosts in brackets, `redis://[::1]:6379`).
    /// - Throws: ``RedisError/invalidURL(_:reason:)`` naming what is wrong.
    public init(url: String) throws {
        func invalid(_ reason: String) -> RedisError { .invalidURL(url, reason: reason) }
        guard url.hasPrefix("redis://") else { throw invalid("expected redis://host[:port][/db]") }
        var rest = Substring(url.dropFirst("redis://".count))
        var database = 0
        if let slash = rest.firstIndex(of: "/") {
            let path = rest[rest.index(after: slash)...]
            if !path.isEmpty {
                guard let number = Int(path), number >= 0 else { throw invalid("database must be a number ≥ 0, got \(path)") }
                database = number
            }
            rest = rest[..<slash]
        }
        guard !rest.contains("@") else { throw invalid("credentials are not supported") }
        var host = rest
        var portText: Substring?
        if rest.hasPrefix("["), let close = rest.firstIndex(of: "]") {
            host = rest[rest.index(after: rest.startIndex)..<close]
            let after = rest[rest.index(after: close)...]
            if after.hasPrefix(":") { portText = after.dropFirst() } else if !after.isEmpty { throw invalid("unexpected \(after)") }
        } else if let colon = rest.lastIndex(of: ":") {
            host = rest[..<colon]
            portText = rest[rest.index(after: colon)...]
        }
        guard !host.isEmpty else { throw invalid("no host") }
        var port = 6379
        if let portText {
            guard let number = Int(portText), (1...65535).contains(number) else { throw invalid("port must be 1–65535, got \(portText)") }
            port = number
        }
        self.init(host: String(host), port: port, database: database)
    }

    /// `redis://host:port/db`.
    public var description: String {
        let host = self.host.contains(":") ? "[\(self.host)]" : self.host
        return "redis://\(host):\(port)/\(database)"
    }
}
