import Market

/// Why a Binance dump could not be imported, in one line that names the file and, for bad rows, the line.
public enum ImportError: Error, CustomStringConvertible, Equatable {
    /// The file (or zip archive) could not be opened or read.
    case cannotRead(file: String, reason: String)
    /// The kind of dump (trades, aggTrades, klines) is not in the file name and could not be told from its rows.
    case unknownKind(file: String)
    /// The symbol is not in the file name (`BTCUSDT-trades-2024-01-01.csv`) and none was given.
    case unknownSymbol(file: String)
    /// A zip archive without a CSV file inside.
    case emptyArchive(file: String)
    /// A row that is not a valid record of the file's kind; `location` is `file:line` (1-based).
    case badRow(SourceLocation, reason: String)

    public var description: String {
        switch self {
        case .cannotRead(let file, let reason):
            return "cannot read \(file): \(reason)"
        case .unknownKind(let file):
            return "\(file): cannot tell whether this is a trades, aggTrades or klines dump; pass --kind"
        case .unknownSymbol(let file):
            return "\(file): no symbol in the file name (expected e.g. BTCUSDT-trades-2024-01-01.csv); pass --symbol"
        case .emptyArchive(let file):
            return "\(file): the zip archive holds no .csv file"
        case .badRow(let location, let reason):
            return "\(location): \(reason)"
        }
    }
}
