/// How far an import has got, reported after every committed batch (for progress bars).
public struct ImportProgress: Sendable, Hashable {
    /// The file being imported (as named in messages).
    public var file: String
    /// Data rows read so far (header and blank lines excluded).
    public var rows: Int
    /// Bytes of CSV read so far (uncompressed).
    public var bytesRead: Int64
    /// Bytes of CSV in the file (uncompressed), if known.
    public var totalBytes: Int64?
    /// Seconds since the file's import started.
    public var elapsed: Double

    public init(file: String, rows: Int, bytesRead: Int64, totalBytes: Int64?, elapsed: Double) {
        self.file = file
        self.rows = rows
        self.bytesRead = bytesRead
        self.totalBytes = totalBytes
        self.elapsed = elapsed
    }

    /// Rows per second so far (trades per second for trade dumps).
    public var rowsPerSecond: Double { elapsed > 0 ? Double(rows) / elapsed : 0 }

    /// Fraction done in [0, 1], if the size is known.
    public var fraction: Double? {
        guard let totalBytes, totalBytes > 0 else { return nil }
        return min(1, Double(bytesRead) / Double(totalBytes))
    }

    /// Seconds left at the current rate, if the size is known.
    public var remainingSeconds: Double? {
        guard let fraction, fraction > 0, elapsed > 0 else { return nil }
        return elapsed * (1 - fraction) / fraction
    }
}
