/// A failure of the PostgreSQL store, in one line for the user.
public enum PostgresStoreError: Error, CustomStringConvertible, Equatable {
    /// `--db` looked like a PostgreSQL URL but is not a usable one.
    case badURL(String, reason: String)
    /// The server could not be reached or refused the login.
    case cannotConnect(String, reason: String)
    /// A statement failed.
    case query(operation: String, message: String)
    /// The database holds schema migrations this build does not know: a newer pairbook made it.
    case newerSchema(String, migrations: [String])

    public var description: String {
        switch self {
        case .badURL(let url, let reason): return "bad database URL \(url): \(reason)"
        case .cannotConnect(let url, let reason): return "cannot connect to \(url): \(reason)"
        case .query(let operation, let message): return "database error while \(operation): \(message)"
        case .newerSchema(let url, let migrations):
            return "database \(url) was written by a newer pairbook (migrations \(migrations.joined(separator: ", "))); upgrade pairbook to use it"
        }
    }
}
