/// Progress of a run, reported after each stage step and each cell.
public struct ReportProgress: Sendable, Hashable {
    /// The stage: `load`, `analyse`, `alerts`, `cells`, `render`.
    public var stage: String
    /// Cells (or files) done, and the total.
    public var done: Int
    /// How many steps the stage has.
    public var total: Int
    /// What was just done, e.g. `chart zscore`.
    public var label: String

    /// Creates a progress report.
    public init(stage: String, done: Int, total: Int, label: String) {
        self.stage = stage
        self.done = done
        self.total = total
        self.label = label
    }
}

/// Receives progress; the CLI draws a one-line indicator, tests ignore it.
public typealias ProgressHandler = @Sendable (ReportProgress) -> Void
