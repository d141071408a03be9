import ArgumentParser
import Market

/// The time window of a command that reads data, in either of two forms: `--from/--to` (half-open, each side
/// optional) or `--lookback` ending at `--at` (default: the end of the newest stored bar). Shared by `analyze`,
/// `chart` and `export`, so each takes both forms and says the same things about them.
struct WindowOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Start of the window (ISO-8601 UTC or epoch ms), inclusive.", valueName: "time"),
            transform: Timestamp.argument)
    var from: Timestamp?

    @Option(help: ArgumentHelp("End of the window (ISO-8601 UTC or epoch ms), exclusive.", valueName: "time"),
            transform: Timestamp.argument)
    var to: Timestamp?

    @Option(help: ArgumentHelp("Length of a window ending at --at, e.g. 24h, 90m, 7d.", valueName: "span"),
            transform: TimeSpan.argument)
    var lookback: TimeSpan?

    @Option(help: ArgumentHelp("End of the --lookback window, exclusive (default: the end of the newest bar).", valueName: "time"),
            transform: Timestamp.argument)
    var at: Timestamp?

    func validate() throws {
        if (lookback != nil || at != nil) && (from != nil || to != nil) {
            throw ValidationError("use either --from/--to or --lookback/--at, not both")
        }
        if let from, let to, to <= from {
            throw ValidationError("--to (\(to.iso8601())) must be after --from (\(from.iso8601()))")
        }
        if let lookback, lookback.milliseconds <= 0 { throw ValidationError("--lookback must be positive (got \(lookback))") }
    }

    /// For commands without a default lookback: `--at` alone says where the window ends but not how long it is.
    func validateWithoutDefaultLookback() throws {
        if at != nil && lookback == nil { throw ValidationError("--at needs --lookback (the window's length)") }
    }

    /// The window: `[from, to)` with open sides unbounded; or `[end − lookback, end)` with `end` = `--at`, else
    /// `newestEnd()`; `defaultLookback` applies when only `--at`, or nothing, is given (nil: nothing given means all
    /// stored data).
    ///
    /// - Parameter newestEnd: the end of the newest bar the command reads; nil when there is none (the caller's error).
    func range(defaultLookback: TimeSpan? = nil, newestEnd: () throws -> Timestamp?) throws -> TimeRange? {
        if from != nil || to != nil {
            return TimeRange(start: from ?? TimeRange.all.start, end: to ?? TimeRange.all.end)
        }
        guard let span = lookback ?? defaultLookback else { return .all }
        guard let end = try at ?? newestEnd() else { return nil }
        return TimeRange(lookback: span, endingAt: end)
    }
}
