import GRDBSQLite

extension Store {
    /// Bytes of heap memory that SQLite holds now, for the whole process (`sqlite3_memory_used()`): the page
    /// cache of every connection (up to `cache_size` each: 32 MiB for the writer, 8 MiB per reader), prepared statements and schemas.
    ///
    /// For monitoring: a long-running process's RSS grows while the page caches fill up to their bound, then
    /// stays flat; this figure tells that growth apart from a leak (`pairbook run` exports it as
    /// `pairbook_sqlite_memory_bytes`). O(1), a read of SQLite's own counter.
    public static var sqliteMemoryUsed: Int64 { sqlite3_memory_used() }
}
