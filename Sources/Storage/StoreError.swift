import Market

/// A failure of the database layer, described in one line for the user.
public enum StoreError: Error, CustomStringConvertible, Equatable {
    /// The database file could not be opened or created.
    case cannotOpen(path: String, reason: String)
    /// The file is a database of a newer pairbook (a migration this build doesn't know).
    case newerSchema(path: String)
    /// An SQLite error during an operation.
    case sqlite(operation: String, message: String)
    /// A stored alert rule already has this name.
    case duplicateAlertRule(name: String)

    public var description: String {
        switch self {
        case .cannotOpen(let path, let reason):
            return "cannot open database \(path): \(reason)"
        case .newerSchema(let path):
            return "database \(path) was written by a newer pairbook; upgrade pairbook to use it"
        case .sqlite(let operation, let message):
            return "database error while \(operation): \(message)"
        case .duplicateAlertRule(let name):
            return "an alert rule named \"\(name)\" already exists"
        }
    }
}
