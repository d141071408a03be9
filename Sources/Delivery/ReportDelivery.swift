import Market

/// The files of one finished report run, as handed to a ``ReportDelivery``.
public struct DeliverableReport: Sendable {
    /// The report script's name, e.g. `pair-overview` (a single path component).
    public var name: String
    /// The rendered title, e.g. `BTCUSDT vs ETHUSDT — pair overview`.
    public var title: String
    /// When the run's window ended (UTC).
    public var generatedAt: Timestamp
    /// Paths of the output files (HTML, PDF, CSV, PNG); each keeps its file name when delivered.
    public var files: [String]
    /// Plain-text findings for an e-mail body (alerts that fired, key numbers); may be empty.
    public var summary: String

    public init(name: String, title: String, generatedAt: Timestamp, files: [String], summary: String = "") {
        self.name = name
        self.title = title
        self.generatedAt = generatedAt
        self.files = files
        self.summary = summary
    }
}

/// Somewhere a finished report goes: a folder, a mailbox.
///
/// A failed delivery throws ``DeliveryError`` (after the implementation's own retries); the report's files stay
/// where the engine wrote them, and the caller records the failure.
public protocol ReportDelivery: Sendable {
    /// The target kind for logs and the `pairbook_delivery_failures_total{target}` metric: `folder`, `smtp`.
    var target: String { get }

    /// Delivers one report run.
    ///
    /// - Throws: ``DeliveryError``.
    func deliver(_ report: DeliverableReport) async throws(DeliveryError)
}

/// The last path component of a path (`/a/b/report.pdf` → `report.pdf`).
func fileName(of path: String) -> String {
    path.split(separator: "/", omittingEmptySubsequences: true).last.map(String.init) ?? path
}

/// Whether `name` is one safe file name: not empty, no `/`, NUL or line break, not `.`/`..`, not starting with `.`.
func isSafeFileName(_ name: String) -> Bool {
    guard let first = name.utf8.first, first != UInt8(ascii: "."), name.utf8.count <= 255 else { return false }
    return !name.utf8.contains { $0 == UInt8(ascii: "/") || $0 == 0 || $0 == 10 || $0 == 13 || $0 == UInt8(ascii: "\\") }
}
