import Foundation
import NIOSSL
import PostgresNIO

/// `postgres://user[:password]@host[:port]/database[?sslmode=disable|require|verify-full]`, as `--db` takes it.
///
/// The password comes from the URL or, when the URL has none, from `PGPASSWORD` (as libpq does). TLS is off unless
/// `sslmode` asks: `require` encrypts without checking the certificate, `verify-full` checks it against the system's
/// roots and the host name. ``description`` never shows the password.
public struct PostgresURL: Sendable, Hashable, CustomStringConvertible {
    public enum TLSMode: String, Sendable, Hashable { case disable, require, verifyFull = "verify-full" }

    public var user: String
    public var password: String?
    public var host: String
    public var port: Int
    public var database: String
    public var tls: TLSMode

    /// Whether `text` names a PostgreSQL database rather than an SQLite file.
    public static func isPostgres(_ text: String) -> Bool {
        text.hasPrefix("postgres://") || text.hasPrefix("postgresql://")
    }

    /// - Throws: ``PostgresStoreError/badURL(_:reason:)`` naming what is wrong.
    public init(_ text: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        guard Self.isPostgres(text), let components = URLComponents(string: text) else {
            throw PostgresStoreError.badURL(Self.redacted(text), reason: "expected postgres://user@host[:port]/database")
        }
        guard let host = components.host, !host.isEmpty else {
            throw PostgresStoreError.badURL(Self.redacted(text), reason: "no host")
        }
        guard let user = components.user, !user.isEmpty else {
            throw PostgresStoreError.badURL(Self.redacted(text), reason: "no user (postgres://USER@host/database)")
        }
        let database = String(components.path.drop { $0 == "/" })
        guard !database.isEmpty, !database.contains("/") else {
            throw PostgresStoreError.badURL(Self.redacted(text), reason: "no database name (postgres://user@host/DATABASE)")
        }
        let port = components.port ?? 5432
        guard (1...65_535).contains(port) else { throw PostgresStoreError.badURL(Self.redacted(text), reason: "port \(port) out of range") }
        var tls = TLSMode.disable
        for item in components.queryItems ?? [] {
            switch item.name {
            case "sslmode":
                guard let mode = item.value.flatMap(TLSMode.init(rawValue:)) else {
                    throw PostgresStoreError.badURL(Self.redacted(text), reason: "sslmode must be disable, require or verify-full")
                }
                tls = mode
            default:
                throw PostgresStoreError.badURL(Self.redacted(text), reason: "unknown parameter '\(item.name)' (only sslmode)")
            }
        }
        self.user = user
        self.password = components.password ?? environment["PGPASSWORD"]
        self.host = host
        self.port = port
        self.database = database
        self.tls = tls
    }

    /// `postgres://user@host:port/database` (no password).
    public var description: String {
        "postgres://\(user)@\(host):\(port)/\(database)" + (tls == .disable ? "" : "?sslmode=\(tls.rawValue)")
    }

    /// The connection settings for postgres-nio.
    func configuration() throws -> PostgresConnection.Configuration {
        let tlsSetting: PostgresConnection.Configuration.TLS
        switch tls {
        case .disable:
            tlsSetting = .disable
        case .require:
            var settings = TLSConfiguration.makeClientConfiguration()
            settings.certificateVerification = .none
            tlsSetting = .require(try NIOSSLContext(configuration: settings))
        case .verifyFull:
            tlsSetting = .require(try NIOSSLContext(configuration: .makeClientConfiguration()))
        }
        return PostgresConnection.Configuration(host: host, port: port, username: user, password: password, database: database, tls: tlsSetting)
    }

    private static func redacted(_ text: String) -> String {
        guard var components = URLComponents(string: text), components.password != nil else { return text }
        components.password = "***"
        return components.string ?? text
    }
}
