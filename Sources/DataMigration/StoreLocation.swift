import Foundation
import Logging
import PostgresStorage
import Storage

/// Where `pairbook migrate` copies from or to: an SQLite file or a PostgreSQL database.
///
/// Written as a path (`pairbook.sqlite`), `sqlite:PATH`, or `postgres://user[:password]@host[:port]/database[?sslmode=…]`
/// (the password from the URL or `PGPASSWORD`; see ``PostgresURL``).
public enum StoreLocation: Sendable, Hashable, CustomStringConvertible {
    case sqlite(path: String)
    case postgres(PostgresURL)

    /// - Throws: ``MigrationError/badLocation(_:reason:)``; ``PostgresStoreError/badURL(_:reason:)`` for a bad `postgres://` URL.
    public init(parsing text: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        if PostgresURL.isPostgres(text) {
            self = .postgres(try PostgresURL(text, environment: environment))
            return
        }
        let path = text.hasPrefix("sqlite:") ? String(text.dropFirst("sqlite:".count)) : text
        guard !path.isEmpty else { throw MigrationError.badLocation(text, reason: "no file path") }
        guard !path.contains("://") else {
            throw MigrationError.badLocation(text, reason: "expected a file path, sqlite:PATH or postgres://user@host[:port]/database")
        }
        self = .sqlite(path: path)
    }

    /// `sqlite:PATH` or `postgres://user@host:port/database` (no password).
    public var description: String {
        switch self {
        case .sqlite(let path): return "sqlite:\(path)"
        case .postgres(let url): return url.description
        }
    }

    /// Whether `self` and `other` are the same database (the same file, or the same server and database).
    public func isSameStore(as other: StoreLocation) -> Bool {
        switch (self, other) {
        case (.sqlite(let a), .sqlite(let b)):
            func canonical(_ path: String) -> String { URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path }
            return canonical(a) == canonical(b)
        case (.postgres(let a), .postgres(let b)):
            return a.host.lowercased() == b.host.lowercased() && a.port == b.port && a.database == b.database
        default:
            return false
        }
    }

    /// Opens the store (a source must exist; a destination file is created), runs `body` with it, and closes it.
    ///
    /// - Throws: ``MigrationError/missingSource(_:)``; ``StoreError`` or ``PostgresStoreError`` when the store cannot be
    ///   opened (unreachable server, refused login, not a database, newer schema); what `body` throws.
    public func withStore<T: Sendable>(asSource: Bool, logger: Logger,
                                       _ body: (any MigratableStore) async throws -> T) async throws -> T {
        switch self {
        case .sqlite(let path):
            if asSource, !FileManager.default.fileExists(atPath: path) { throw MigrationError.missingSource(path) }
            return try await body(try Store(path: path, logger: logger))
        case .postgres(let url):
            return try await PostgresStore.withStore(url, logger: logger) { try await body($0) }
        }
    }
}
