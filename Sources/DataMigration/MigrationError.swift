/// A failure of `pairbook migrate`, in one line for the user.
public enum MigrationError: Error, CustomStringConvertible, Equatable {
    /// `--from` or `--to` is neither a file path, `sqlite:PATH` nor a `postgres://` URL.
    case badLocation(String, reason: String)
    /// The SQLite file to copy from does not exist.
    case missingSource(String)
    /// `--from` and `--to` name the same database.
    case sameStore(String)
    /// Reading from or writing to one of the stores failed.
    case failed(location: String, message: String)

    public var description: String {
        switch self {
        case .badLocation(let text, let reason): return "bad store '\(text)': \(reason)"
        case .missingSource(let path): return "no database to copy from at \(path)"
        case .sameStore(let location): return "--from and --to are the same database (\(location))"
        case .failed(let location, let message): return "\(location): \(message)"
        }
    }
}
