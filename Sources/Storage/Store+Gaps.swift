import GRDB
import Market

extension Store {
    /// Recorded gaps, newest first, of one symbol or of all.
    public func gaps(for symbol: Symbol? = nil) throws -> [StreamGap] {
        try read("reading stream gaps") { db in
            var request = StreamGap.order(StreamGap.Columns.fromTime.desc)
            if let symbol { request = request.filter(StreamGap.Columns.symbol == symbol.name) }
            // A row whose symbol no longer parses is skipped, not fatal.
            return try Row.fetchAll(db, request).compactMap { try? StreamGap(row: $0) }
        }
    }
}
