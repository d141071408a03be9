import GRDB

extension Store {
    /// A number that changes whenever a change to the database is committed, by this process or any other; equal
    /// values mean nothing was written in between. For caches of answers computed from the store.
    ///
    /// O(1): SQLite's `PRAGMA data_version` on a connection of its own, which no one writes through (so every commit
    /// is another connection's and counts). An in-memory store has one connection: its `total_changes()` then.
    /// - Throws: ``StoreError/sqlite(operation:message:)``.
    public func changeCounter() throws -> Int64 {
        try mapErrors("reading the data version") {
            if let probe {
                return try probe.inDatabase { try Int64.fetchOne($0, sql: "PRAGMA data_version") } ?? 0
            }
            return try writer.read { try Int64.fetchOne($0, sql: "SELECT total_changes()") } ?? 0
        }
    }
}
